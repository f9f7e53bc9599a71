#!/usr/bin/env node
import { isBrokenPipe } from './describe-failure.js';
import { run } from './program.js';

// A reader that went away (`statbus dump | head -1`) ends the command quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: Error) => {
    if (isBrokenPipe(error)) process.exit(0);
    throw error;
  });
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signals: process,
});
