/** Edit distance (insert, delete, substitute) between two strings, by code point. */
export function editDistance(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  let prev = Array.from({ length: B.length + 1 }, (_, j) => j);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    for (let j = 1; j <= B.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (A[i - 1] === B[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[B.length];
}

/**
 * A key OCR read as one to four signs that are not Latin letters or digits, perhaps spaced, before a colon or a
 * space (`卜:`, `以 卜:` for ロット:).
 */
const GARBLED_KEY = /^(?:[^\p{Script=Latin}\p{N}\s:：]\s?){1,4}(?:\s*[:：]\s*|\s+)/u;
/** A key OCR read as one or two Latin letters before a colon (`F:VNP3628` for ロット番号:). */
const LETTER_KEY = /^[A-Za-z]{1,2}\s*[:：]\s*/;

/**
 * A line's text as a candidate code (a lot or catalog number printed alone): trimmed of separators, and of a key
 * OCR garbled to a sign or two before a colon or a space (`卜:BGY4681`, `卜番号 F4SP1` for ロット番号), or to a letter
 * or two before a colon (`F:VNP3628`).
 */
export function codeText(text: string): string {
  return text.trim().replace(GARBLED_KEY, '').replace(LETTER_KEY, '').replace(/^[\s:：;,.|]+|[\s:：;,.|]+$/g, '');
}
