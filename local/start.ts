import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { clearStackInfo, runningStack, writeStackInfo } from './client';
import { isHidden, isMetadata } from './files';
import { createApiServer, listenLoopback, type Route } from './http-api';
import { LocalStack, PROJECT_ROOT } from './stack';

export const SAMPLES_DIR = join(PROJECT_ROOT, 'samples');
const CONSOLE_DIR = join(PROJECT_ROOT, 'console');

/**
 * Watch a folder for new photos: each file whose size has stopped changing is uploaded (as an S3 upload would
 * be) and moved to `processed/`. Polling, not fs.watch: it behaves the same on every platform and network drive.
 */
export function watchInbox(stack: LocalStack, inbox: string, log: (line: string) => void, intervalMs = 1000): () => void {
  const processed = join(inbox, 'processed');
  mkdirSync(processed, { recursive: true });
  const sizes = new Map<string, number>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const name of readdirSync(inbox)) {
        if (isHidden(name) || isMetadata(name)) continue;
        const full = join(inbox, name);
        const st = statSync(full, { throwIfNoEntry: false });
        if (!st?.isFile()) continue;
        if (sizes.get(name) !== st.size) {
          sizes.set(name, st.size);
          continue;
        }
        sizes.delete(name);
        const { executionArn } = await stack.submitPhoto(name, readFileSync(full));
        let target = join(processed, name);
        for (let i = 1; existsSync(target); i++) target = join(processed, `${i}-${name}`);
        renameSync(full, target);
        log(`inbox: ${name} → ${executionArn.split(':').pop()}`);
      }
    } catch (e) {
      log(`inbox: ${(e as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  return () => clearInterval(timer);
}

function loadConsoleRoutes(stack: LocalStack): Route[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('./console-routes') as { consoleRoutes?: (s: LocalStack) => Route[] };
    return mod.consoleRoutes?.(stack) ?? [];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return [];
    throw e;
  }
}

export async function startCommand(opts: {
  dataDir: string;
  env: Record<string, string>;
  port: number;
  inbox?: string;
  samples: boolean;
  log: (line: string) => void;
}): Promise<void> {
  const running = runningStack(opts.dataDir);
  if (running) {
    opts.log(`The local stack is already running for ${opts.dataDir}: ${running.url} (pid ${running.pid}).`);
    return;
  }
  const fresh = !existsSync(join(opts.dataDir, 'engine'));
  const stack = await LocalStack.start({ dataDir: opts.dataDir, env: opts.env, log: opts.log });
  const server = createApiServer(stack, { staticDir: existsSync(CONSOLE_DIR) ? CONSOLE_DIR : undefined, extraRoutes: loadConsoleRoutes(stack) });
  const port = await listenLoopback(server, opts.port);
  const url = `http://127.0.0.1:${port}`;
  writeStackInfo(opts.dataDir, { pid: process.pid, url });
  const inbox = opts.inbox ?? join(opts.dataDir, 'inbox');
  mkdirSync(inbox, { recursive: true });
  const stopInbox = watchInbox(stack, inbox, opts.log);

  const lines = [
    'reagent-intake local stack is up',
    `  console    ${url}`,
    `  API        ${url}/api/health`,
    `  inbox      ${inbox}   (drop photos here)`,
    `  data       ${opts.dataDir}`,
    `  reader     ${stack.config.INTAKE_READER}, OCR ${stack.config.INTAKE_OCR === 'on' ? stack.config.INTAKE_OCR_ENGINE : 'off'}`,
    `  S3         ${stack.endpoints.s3}  (bucket ${stack.config.INTAKE_BUCKET}, uploads under incoming/)`,
    `  DynamoDB   ${stack.endpoints.dynamodb}`,
    'Press Ctrl-C to stop. Other `intake` commands talk to this process while it runs.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  if (fresh && opts.samples && existsSync(SAMPLES_DIR)) {
    const samples = readdirSync(SAMPLES_DIR).filter((f) => /\.(jpe?g|png|webp)$/i.test(f));
    process.stdout.write(`First start: processing ${samples.length} sample photo(s) from samples/ …\n`);
    for (const name of samples) {
      const { executionArn } = await stack.submitPhoto(name, readFileSync(join(SAMPLES_DIR, name)));
      stack
        .waitForOutcome(executionArn)
        .then((o) => process.stdout.write(`  sample ${name}: ${o.status}${o.status === 'IN_REVIEW' ? ` — review it at ${url}/#/reviews/${o.reviewId}` : ''}\n`))
        .catch(() => undefined);
    }
  }

  await new Promise<void>((resolveStop) => {
    const stop = async (signal: string) => {
      process.stdout.write(`\n${signal}: stopping… (runs waiting in review stay waiting)\n`);
      stopInbox();
      server.close();
      server.closeAllConnections();
      await stack.close();
      clearStackInfo(opts.dataDir);
      resolveStop();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}
