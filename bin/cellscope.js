#!/usr/bin/env node
// The published entry point: the CLI is bundled into dist/cli.js by `npm run build` (run by `prepare`).
require('../dist/cli.js');
