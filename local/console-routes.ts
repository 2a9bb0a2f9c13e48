import { createReadStream, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Route } from './http-api';
import type { LocalStack } from './stack';

/** elkjs's browser bundle (defines the global `ELK`), served from node_modules so the console works offline. */
const ELK_BUNDLE = join(dirname(require.resolve('elkjs/package.json')), 'lib', 'elk.bundled.js');

/** Extra routes the console needs beside the JSON API: its vendored graph-layout library. */
export function consoleRoutes(_stack?: LocalStack): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/vendor\/elk\.js$/,
      handler: async (_req, res) => {
        res.writeHead(200, {
          'content-type': 'text/javascript; charset=utf-8',
          'content-length': String(statSync(ELK_BUNDLE).size),
          'cache-control': 'public, max-age=86400',
        });
        await new Promise<void>((ok, fail) => createReadStream(ELK_BUNDLE).on('error', fail).on('end', ok).pipe(res));
        return undefined;
      },
    },
  ];
}
