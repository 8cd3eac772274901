#!/usr/bin/env node
// The installed `cellscope` command. The CLI is bundled into dist/cli.js by `npm run build` (run by `prepare`), and
// loaded with V8's code cache (compile-cache.js) to start faster.
const { join } = require('node:path');
const { loadWithCompileCache } = require('./compile-cache.js');

const cli = loadWithCompileCache(join(__dirname, '..', 'dist', 'cli.js'));
cli.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  cli.saveCache();
});
