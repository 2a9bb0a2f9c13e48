#!/usr/bin/env node
// The `intake` CLI. TypeScript sources run through tsx's CommonJS loader, so there is no build step.
// The AWS SDK warns on every command that its 2027 releases will need Node 22; the README says so once instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../local/cli.ts').main(process.argv);
