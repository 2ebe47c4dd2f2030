// Writes what a badly behaved server writes on stdout: a banner, a batch, a line over the size
// limit given in argv[2], then one valid notification; and a line on stderr. Exits when stdin ends.
const oversize = Number(process.argv[2] ?? 2048);
process.stderr.write('starting up on stderr\n');
process.stdout.write('Server v1.2 ready (not JSON)\n');
process.stdout.write('[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]\n');
process.stdout.write(
  `{"jsonrpc":"2.0","method":"big","params":{"pad":"${'x'.repeat(oversize)}"}}\n`,
);
process.stdout.write('{"jsonrpc":"2.0","method":"notifications/ready"}\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
