/** CAS Registry Number helpers. The check digit is the weighted sum of the other digits, mod 10. */
const CAS_RE = /^(\d{2,7})-(\d{2})-(\d)$/;

export function casCheckDigit(body: string): number {
  const digits = body.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[digits.length - 1 - i]) * (i + 1);
  return sum % 10;
}

/** True when `cas` is well-formed (NNNNNNN-NN-N) and its check digit is right. */
export function isValidCas(cas: string): boolean {
  const m = CAS_RE.exec(cas.trim());
  if (!m) return false;
  return casCheckDigit(m[1] + m[2]) === Number(m[3]);
}

/** Normalise OCR-ish CAS text ("7647 - 01 - 0", "7647–01–0") to NNNN-NN-N, or undefined. */
export function normalizeCas(raw: string): string | undefined {
  const m = /(\d{2,7})\s*[-‐‑–—~]\s*(\d{2})\s*[-‐‑–—~]\s*(\d)(?!\d)/.exec(raw);
  return m ? `${m[1].replace(/^0+(?=\d{2})/, '')}-${m[2]}-${m[3]}` : undefined;
}
