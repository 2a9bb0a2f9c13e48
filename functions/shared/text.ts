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

/** A key OCR read as one to four signs that are not Latin letters or digits, before a colon (`卜:` for ロット:). */
export const GARBLED_KEY = /^[^\p{Script=Latin}\p{N}\s:：]{1,4}\s*[:：]\s*/u;
