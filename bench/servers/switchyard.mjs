// Runs Switchyard (built `dist`) in its own process. argv[2] is the config as JSON.
// Prints `READY <port>` once listening and every backend started. Over IPC it answers
// `{ type: 'memory' }` with heap figures after a full GC (start with --expose-gc).
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';

const proxy = createProxy(JSON.parse(process.argv[2]), {
  logger: silentLogger(),
  port: 0,
  logFiles: false,
});
await proxy.start();
console.log(`READY ${proxy.address.port}`);

process.on('message', async (message) => {
  if (message?.type === 'memory') {
    for (let i = 0; i < 4; i++) {
      global.gc?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { heapUsed, rss } = process.memoryUsage();
    process.send({ type: 'memory', heapUsed, rss, sessions: proxy.router.sessionCount });
  } else if (message?.type === 'stop') {
    await proxy.stop();
    process.exit(0);
  }
});
