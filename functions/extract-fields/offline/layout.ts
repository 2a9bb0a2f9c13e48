/** OCR lines with geometry helpers: what is on the same row to the right, and what is just below. */
import type { OcrLine } from '../../shared/contract';
import { tidy } from './values';

export interface Line {
  /** 1-based index in reading order, used in evidence. */
  n: number;
  text: string;
  raw: string;
  conf: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
  h: number;
  cy: number;
}

// Label text is untrusted: lines that address a model ("ignore previous instructions") carry no label data.
const INJECTION_RE =
  /\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|prompts?|rules?|above|previous)\b|\b(?:system|developer)\s+prompt\b|\byou\s+(?:are|must|should)\s+(?:now\s+)?(?:an?|the|output|return|respond|answer|set|report)\b|\b(?:respond|answer|output|return)\s+(?:only\s+)?(?:with\s+)?(?:json|the\s+following)\b|\bassistant\s*:/i;

export function isInjection(text: string): boolean {
  return INJECTION_RE.test(text);
}

export function toLines(ocr: OcrLine[]): Line[] {
  const lines = ocr
    .map((l) => ({ l, text: tidy(l.text) }))
    .filter(({ text }) => text.length > 0 && /[\p{L}\p{N}]/u.test(text))
    .map(({ l, text }) => ({
      n: 0,
      text,
      raw: l.text,
      conf: l.confidence,
      left: l.box.left,
      top: l.box.top,
      right: l.box.left + l.box.width,
      bottom: l.box.top + l.box.height,
      h: Math.max(1, l.box.height),
      cy: l.box.top + l.box.height / 2,
    }));
  // Reading order: rows top to bottom (a row is lines whose centres are within half a line height), then left to right.
  lines.sort((a, b) => a.cy - b.cy);
  const rows: Line[][] = [];
  for (const l of lines) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(row[0].cy - l.cy) < 0.5 * Math.min(row[0].h, l.h)) row.push(l);
    else rows.push([l]);
  }
  const ordered = rows.flatMap((r) => r.sort((a, b) => a.left - b.left));
  ordered.forEach((l, i) => (l.n = i + 1));
  return ordered;
}

/**
 * Nearest line to the right on the same row, within `maxGap` line heights. A line may start up to one line height
 * inside this one when it repeats this one's last letter: OCR split "Content 1L" into `Content` and `t1L`.
 */
export function rightOf(line: Line, all: Line[], maxGap = 14, rowTol = 0.6): Line[] {
  const overlapOk = (m: Line) => m.left >= line.right - 0.5 * line.h || (m.left >= line.right - line.h && m.text[0] === line.text[line.text.length - 1]);
  return all
    .filter((m) => m !== line && overlapOk(m) && Math.abs(m.cy - line.cy) < rowTol * Math.max(line.h, m.h * 0.8))
    .filter((m) => m.left - line.right < maxGap * line.h)
    .sort((a, b) => a.left - b.left);
}

/** Lines just below `line` starting near `x` (the key's own left edge), nearest first. */
export function below(line: Line, all: Line[], x = line.left, maxGap = 2.2): Line[] {
  return all
    .filter((m) => m !== line && m.top > line.cy && m.top - line.bottom < maxGap * line.h)
    .filter((m) => m.left < line.right + line.h && m.right > x - line.h && Math.abs(m.left - x) < 4 * line.h)
    .sort((a, b) => a.top - b.top || Math.abs(a.left - x) - Math.abs(b.left - x));
}

export function evidenceOf(line: Line, note?: string): string {
  const t = line.raw.length > 60 ? `${line.raw.slice(0, 57)}...` : line.raw;
  return `line ${line.n} "${t}"${note ? ` (${note})` : ''}`;
}
