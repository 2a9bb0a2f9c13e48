import type { LabelFields } from './contract';

/** Normalised form for comparing two readings of one field (case, spaces, punctuation and ® do not count). */
export function sameReading(field: keyof LabelFields, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  if (field === 'quantity') {
    const x = a as { value?: unknown; unit?: unknown };
    const y = b as { value?: unknown; unit?: unknown };
    return Number(x.value) === Number(y.value) && String(x.unit).toLowerCase() === String(y.unit).toLowerCase();
  }
  if (field === 'molecularWeight') return Math.abs(Number(a) - Number(b)) < 0.011;
  const norm = (v: unknown) => String(v).normalize('NFKC').toLowerCase().replace(/[\s.,;:·®™()\-_/]+/g, '');
  return norm(a) === norm(b);
}
