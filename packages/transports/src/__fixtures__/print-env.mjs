// Reports its environment and working directory as one JSON-RPC notification, then exits.
process.stdout.write(
  `${JSON.stringify({ jsonrpc: '2.0', method: 'env', params: { env: process.env, cwd: process.cwd() } })}\n`,
);
