// Ignores stdin closing and SIGTERM, and starts a grandchild that does the same, as a wrapper
// such as `npx` would. Reports both pids as a JSON-RPC notification once the grandchild is up.
// argv[2] === 'leader-exits': the leader itself exits when stdin ends, leaving the grandchild
// holding the inherited stdout pipe.
import { spawn } from 'node:child_process';

const mode = process.argv[2];
process.on('SIGTERM', () => {});
const grandchild = spawn(
  process.execPath,
  [
    '-e',
    "process.on('SIGTERM', () => {}); console.error('grandchild up'); setInterval(() => {}, 1000);",
  ],
  { stdio: ['ignore', 'inherit', 'pipe'] },
);
grandchild.stderr.once('data', () => {
  process.stdout.write(
    `${JSON.stringify({ jsonrpc: '2.0', method: 'pids', params: { leader: process.pid, grandchild: grandchild.pid } })}\n`,
  );
});
process.stdin.resume();
process.stdin.on('end', () => {
  if (mode === 'leader-exits') process.exit(0);
});
setInterval(() => {}, 1000);
