// The `bisma` operator command (bin/bisma.js runs it): `bisma help` lists the subcommands,
// which live in src/cli/run.ts and the files beside it.
import { boot } from '../lib/boot.js';

// What the command prints is its answer; routine log lines would bury it (LOG_LEVEL still wins).
process.env.LOG_LEVEL ??= 'warn';

// A reader that stops early (`bisma … | head -1`) closes the pipe: the command has been heard.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

await boot('cli', async () => {
  // Loaded after boot has checked the configuration, so a bad setting is one line, not a stack.
  const { runCli } = await import('./run.js');
  process.exitCode = await runCli(process.argv.slice(2));
});
