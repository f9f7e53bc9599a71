#!/usr/bin/env node
// The installed `statbus` command. It lives outside dist/ so that npm can link it at install time,
// before the workspace's `prepare` script has built dist/.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js')) {
    process.stderr.write('statbus: the CLI is not built yet: run `npm run build` (npm ci builds it too)\n');
    process.exitCode = 1;
  } else {
    throw error;
  }
}
