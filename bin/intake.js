#!/usr/bin/env node
// The `intake` CLI. TypeScript sources run through tsx's CommonJS loader, so there is no build step.
require('tsx/cjs');
require('../local/cli.ts').main(process.argv);
