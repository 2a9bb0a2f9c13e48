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
  // A tilted label: the OCR levelled it to read it; its rows are compared in that levelled frame (line centres turned
  // by the same angle), or a value 300 px right of its key sits a row off at 5°.
  const angles = ocr.map((l) => l.angle ?? 0).sort((a, b) => a - b);
  const t = ((angles[Math.floor(angles.length / 2)] ?? 0) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  const lines = ocr
    .map((l) => ({ l, text: tidy(l.text) }))
    .filter(({ text }) => text.length > 0 && /[\p{L}\p{N}]/u.test(text))
    .map(({ l, text }) => {
      const x = l.box.left + l.box.width / 2;
      const y = l.box.top + l.box.height / 2;
      const cx = x * cos - y * sin;
      const cy = x * sin + y * cos;
      return {
        n: 0,
        text,
        raw: l.text,
        conf: l.confidence,
        left: cx - l.box.width / 2,
        top: cy - l.box.height / 2,
        right: cx + l.box.width / 2,
        bottom: cy + l.box.height / 2,
        h: Math.max(1, l.box.height),
        cy,
      };
    });
  joinNumberAndUnit(lines);
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

const BARE_NUMBER = /^\d{1,4}(?:[.,]\d{1,3})?$/;
/** A unit alone, or a large g read as 9 or q (the reader's large-type pack-size rule reads `500 9` as 500 g). */
const BARE_UNIT = /^(?:mL|ml|L|l|g|kg|9|q)$/;

/**
 * A pack size in large type whose number and unit the detector took for two regions (`100` | `mL`, the wide space of
 * big print): a line that is only a number and, just right of it on its row, a line that is only a unit become one
 * line. Detector boxes are grown around the ink, so the two may overlap a little.
 */
function joinNumberAndUnit(lines: Line[]): void {
  for (let i = 0; i < lines.length; i++) {
    const a = lines[i];
    if (!BARE_NUMBER.test(a.text.trim())) continue;
    const j = lines.findIndex(
      (u) => u !== a && BARE_UNIT.test(u.text.trim()) && Math.abs(u.cy - a.cy) < 0.4 * a.h && u.left > (a.left + a.right) / 2 && u.left - a.right < 1.5 * a.h,
    );
    if (j < 0) continue;
    const u = lines[j];
    lines[i] = {
      ...a,
      text: `${a.text.trim()} ${u.text.trim()}`,
      raw: `${a.raw.trim()} ${u.raw.trim()}`,
      conf: Math.min(a.conf, u.conf),
      top: Math.min(a.top, u.top),
      right: Math.max(a.right, u.right),
      bottom: Math.max(a.bottom, u.bottom),
    };
    lines.splice(j, 1);
    if (j < i) i--;
  }
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

/**
 * Lines just below `line` starting near `x` (the key's own left edge), nearest first. The gap is counted in the
 * larger of the two lines' heights: a small key over a value in large type ("Quantity" over "100 mL") is spaced
 * by the big print.
 */
export function below(line: Line, all: Line[], x = line.left, maxGap = 2.2): Line[] {
  return all
    .filter((m) => m !== line && m.top > line.cy && m.top - line.bottom < maxGap * Math.max(line.h, 0.8 * m.h))
    .filter((m) => m.left < line.right + line.h && m.right > x - line.h && Math.abs(m.left - x) < 4 * line.h)
    .sort((a, b) => a.top - b.top || Math.abs(a.left - x) - Math.abs(b.left - x));
}

export function evidenceOf(line: Line, note?: string): string {
  const t = line.raw.length > 60 ? `${line.raw.slice(0, 57)}...` : line.raw;
  return `line ${line.n} "${t}"${note ? ` (${note})` : ''}`;
}
