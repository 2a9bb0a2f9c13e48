import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { LocalOcr } from '../../functions/ocr-hints/local-ocr';
import { consoleRoutes } from '../../local/console-routes';
import { createApiServer, listenLoopback } from '../../local/http-api';
import { LocalStack, type StackOptions } from '../../local/stack';

export const REPO_ROOT = resolve(__dirname, '../..');
export const CONSOLE_DIR = join(REPO_ROOT, 'console');
/** In CI the repo is cloned with `shared/` beside it. */
export const DEVSET = resolve(__dirname, '../../../shared/labels/devset');
/** `npm run screenshots` writes the README's copies; a plain test run keeps its screenshots out of the tree. */
export const SCREENSHOTS = process.env.SCREENSHOT_DIR ? resolve(process.env.SCREENSHOT_DIR) : join(tmpdir(), 'intake-console-screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const VIEWPORTS = {
  laptop: { width: 1280, height: 800 },
  tablet: { width: 820, height: 1180 },
} as const;

export interface ConsoleStack {
  stack: LocalStack;
  server: Server;
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

/** The local stack and its HTTP API serving the console, on a free loopback port — what `intake start` runs. */
export async function startConsoleStack(options: Partial<StackOptions> = {}): Promise<ConsoleStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'intake-console-'));
  const stack = await LocalStack.start({ dataDir, ephemeral: true, memoryEngine: true, ...options, env: { INTAKE_OCR: 'on', ...options.env } });
  const server = createApiServer(stack, { staticDir: CONSOLE_DIR, extraRoutes: consoleRoutes(stack) });
  const port = await listenLoopback(server, 0);
  return {
    stack,
    server,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((ok) => server.close(() => ok()));
      await stack.close();
      // The OCR worker is shared per process; end it so jest can exit.
      await LocalOcr.terminateShared();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and alert() calls: the XSS test asserts there are none. */
  problems: string[];
  close(): Promise<void>;
}

/** Debian's chromium through playwright-core, headless, with a throwaway profile; never the network. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'intake-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: VIEWPORTS.laptop,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A screenshot at laptop and tablet widths, into docs/screenshots (committed; the README shows them). */
export async function screenshots(page: Page, name: string, { fullPage = false } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  // A sticky header would be painted mid-page in a full-page capture.
  const unstick = fullPage ? await page.addStyleTag({ content: '.topbar { position: static !important; }' }) : undefined;
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage });
  }
  await unstick?.evaluate((el) => (el as unknown as { remove(): void }).remove());
  if (before) await page.setViewportSize(before);
}
