/**
 * OCR confuses letters and digits of similar shape (T/7, S/5, B/8, O/0). A manufacturer's catalog-number
 * patterns say which positions hold letters and which digits, so a code that fails every pattern can be
 * repaired — but only when exactly one lookalike reading fits. "73863" fits `[A-Z]\d{4}` only as "T3863";
 * "01359" fits as O1359, D1359 or Q1359, so it is left alone.
 */
const LOOKALIKES: Record<string, string[]> = {
  '0': ['O', 'D', 'Q'],
  '1': ['I', 'L'],
  '2': ['Z'],
  '4': ['A'],
  '5': ['S'],
  '6': ['G'],
  '7': ['T'],
  '8': ['B'],
  O: ['0'],
  D: ['0'],
  Q: ['0'],
  I: ['1'],
  L: ['1'],
  l: ['1'],
  Z: ['2'],
  S: ['5'],
  G: ['6'],
  T: ['7'],
  B: ['8'],
  g: ['9'],
  q: ['9'],
};

export interface PatternRepair {
  value: string;
  /** Characters changed, as `7→T` notes. */
  changes: string[];
}

/** Whole-token match against any of the patterns (strings from data/manufacturers.json). */
export function fitsPatterns(token: string, patterns: string[]): boolean {
  return patterns.some((p) => new RegExp(`^(?:${p})$`).test(token));
}

/**
 * The unique reading of `token` with at most `maxChanges` lookalike substitutions that fits one of the
 * patterns; undefined when the token already fits, when nothing fits, or when more than one reading fits.
 */
export function repairToPattern(token: string, patterns: string[], maxChanges = 2, initials: string[] = []): PatternRepair | undefined {
  if (patterns.length === 0 || fitsPatterns(token, patterns)) return undefined;
  const found = new Map<string, string[]>();
  const walk = (chars: string[], from: number, changes: string[]) => {
    if (changes.length > 0) {
      const v = chars.join('');
      if (fitsPatterns(v, patterns) && !found.has(v)) found.set(v, [...changes]);
    }
    if (changes.length >= maxChanges) return;
    for (let i = from; i < chars.length; i++) {
      const orig = chars[i];
      for (const alt of LOOKALIKES[orig] ?? []) {
        chars[i] = alt;
        walk(chars, i + 1, [...changes, `${orig}→${alt}`]);
      }
      chars[i] = orig;
    }
  };
  walk([...token], 0, []);
  if (found.size > 1 && initials.length) {
    // Catalog numbers that start with a letter often start with the initial of the product name (O1359 for
    // Oxalyl chloride). Used only to choose between readings that all fit the pattern and differ in that letter.
    const firsts = new Set(initials.map((c) => c.toUpperCase()));
    const pick = [...found.entries()].filter(([v, ch]) => firsts.has(v[0]) && v[0] !== token[0] && ch.length === 1);
    if (pick.length === 1) return { value: pick[0][0], changes: [...pick[0][1], `(${pick[0][0][0]}: initial of the product name)`] };
  }
  if (found.size !== 1) return undefined;
  // Prefer the reading with the fewest changes only when it is the only one; ties stay ambiguous.
  const [value, changes] = [...found.entries()][0];
  return { value, changes };
}
