/**
 * `npm run bench [-- DIR] [--photos N]`: end-to-end speed of the local stack on labelled photos, against the same
 * OCR run alone on the same images in the same process, plus peak memory and the Bedrock tokens and cost the
 * configured model would need. Prints every figure; the last line is the machine-readable summary.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { estimateCost, parsePriceTable, prepareImage } from '../functions/extract-fields/bedrock-reader';
import { SYSTEM_PROMPT, toolInputSchema, userPrompt } from '../functions/extract-fields/prompt';
import { LocalOcr } from '../functions/ocr-hints/local-ocr';
import { loadConfig } from '../functions/shared/config';
import type { OcrLine } from '../functions/shared/contract';
import { validateImage } from '../functions/validate-image/core';
import { LocalStack } from '../local/stack';

// The SDK's notice that its 2027 releases need Node 22 would interleave with the figures (README says it once).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(__dirname, '..', '..', 'shared', 'labels', 'devset'));
const limit = Number(flag('--photos') ?? Infinity);
/** Photos in flight end to end: enough to keep OCR busy while the other steps run, few enough that latency is service time. */
const inFlight = Number(flag('--in-flight') ?? 2);

const log = (line: string) => process.stdout.write(`${line}\n`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
};
/** Claude's image tokens ≈ width × height / 750; text ≈ 4 characters a token. */
const textTokens = (s: string) => Math.ceil(s.length / 4);

/** Runs `job(0 … count-1)` with at most `inFlight` jobs at once, each taking the next index when it finishes. */
async function eachInFlight(count: number, inFlight: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function main() {
  const files = readdirSync(dir)
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
    .sort()
    .slice(0, limit)
    .map((f) => join(dir, f));
  if (!files.length) throw new Error(`no photos in ${dir}`);
  const limits = loadConfig({});
  let peakRss = process.memoryUsage.rss();
  // (`memoryUsage.rss()` reads only the RSS: `memoryUsage()` walks the heap spaces too, 0.3 % of the main thread at 20 Hz)
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

  log(`bench: ${files.length} photos from ${dir} on ${require('node:os').cpus().length} cores, Node ${process.version}`);
  const normalized = await Promise.all(
    files.map(async (f) =>
      validateImage(readFileSync(f), {
        maxBytes: limits.INTAKE_MAX_BYTES,
        maxMegapixels: limits.INTAKE_MAX_MEGAPIXELS,
        minEdgePx: limits.INTAKE_MIN_EDGE_PX,
        normalizedEdgePx: limits.INTAKE_NORMALIZED_EDGE_PX,
      }),
    ),
  );
  const ocr = LocalOcr.shared();
  await ocr.recognize(normalized[0].normalized); // warm the worker: both passes below run warm

  // As many photos in flight as pass 2, so the ratio of the two passes is the cost of everything but OCR.
  log(`pass 1: OCR alone (the same recognize() the pipeline calls, on the same normalised images; ${inFlight} photos in flight)`);
  const ocrStart = Date.now();
  const ocrLines: OcrLine[][] = new Array(normalized.length);
  await eachInFlight(normalized.length, inFlight, async (i) => {
    ocrLines[i] = await ocr.recognize(normalized[i].normalized);
  });
  const ocrMs = Date.now() - ocrStart;
  const ocrPerMin = (files.length / ocrMs) * 60_000;
  log(`  OCR alone: ${(ocrMs / files.length).toFixed(0)} ms/label, ${ocrPerMin.toFixed(1)} labels/min`);

  log(`pass 2: end to end through the local stack (durable engine store, dynalite, s3rver; ${inFlight} photos in flight)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'intake-bench-'));
  const stack = await LocalStack.start({ dataDir, env: { INTAKE_OCR: 'on' } });
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const e2eStart = Date.now();
  await eachInFlight(files.length, inFlight, async (i) => {
    const file = files[i];
    const t = Date.now();
    const { executionArn } = await stack.submitPhoto(file.split('/').pop()!, readFileSync(file));
    const outcome = await stack.waitForOutcome(executionArn, 10 * 60_000);
    latencies.push(Date.now() - t);
    statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
  });
  const e2eMs = Date.now() - e2eStart;
  await stack.close();
  rmSync(dataDir, { recursive: true, force: true });
  const e2ePerMin = (files.length / e2eMs) * 60_000;
  log(`  end to end: ${e2ePerMin.toFixed(1)} labels/min; latency p50 ${pct(latencies, 0.5)} ms, p95 ${pct(latencies, 0.95)} ms; outcomes ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`);

  log('Bedrock estimate for the configured model (no call is made): image tokens from the size the reader would send');
  const config = loadConfig();
  const prices = parsePriceTable(config.BEDROCK_PRICE_PER_MTOK);
  const staticTokens = textTokens(SYSTEM_PROMPT) + textTokens(JSON.stringify(toolInputSchema()));
  const perLabel = await Promise.all(
    normalized.map(async (n, i) => {
      const img = await prepareImage(n.normalized, 'image/jpeg');
      const input = staticTokens + Math.ceil((img.width * img.height) / 750) + textTokens(userPrompt(ocrLines[i]));
      return { input, output: 350 };
    }),
  );
  const avgIn = perLabel.reduce((s, t) => s + t.input, 0) / perLabel.length;
  const avgOut = perLabel.reduce((s, t) => s + t.output, 0) / perLabel.length;
  const cost = estimateCost({ inputTokens: Math.round(avgIn), outputTokens: Math.round(avgOut) }, prices);
  const cached = estimateCost({ inputTokens: Math.round(avgIn - staticTokens), outputTokens: Math.round(avgOut), cacheReadInputTokens: staticTokens }, prices);
  log(`  ${config.BEDROCK_MODEL_ID}: ~${avgIn.toFixed(0)} input (${staticTokens} static prompt) + ~${avgOut} output tokens per label (output assumed)`);
  log(`  ≈ $${(cost * 1000).toFixed(2)} per 1000 labels; ≈ $${(cached * 1000).toFixed(2)} with the static prompt cached`);

  clearInterval(sampler);
  await LocalOcr.terminateShared();
  const ratio = e2ePerMin / ocrPerMin;
  log(`peak RSS ${(peakRss / 1048576).toFixed(0)} MB; end-to-end / OCR-alone throughput ${ratio.toFixed(3)} (goal ≥ 0.9)`);
  log(
    `labels_per_min=${e2ePerMin.toFixed(1)} p95_ms=${pct(latencies, 0.95)} peak_rss_mb=${(peakRss / 1048576).toFixed(0)} throughput_ratio=${ratio.toFixed(3)} tokens_per_label=${Math.round(avgIn + avgOut)}`,
  );
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack}\n`);
  process.exit(1);
});
