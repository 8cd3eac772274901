#!/usr/bin/env node
// The installed `cellscope` command. The CLI is bundled into dist/cli.js by `npm run build` (run by `prepare`).
require('../dist/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
