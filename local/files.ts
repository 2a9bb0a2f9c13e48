import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Files that travel beside photos (ground truth, notes, indexes) and are never submitted as photos. */
const METADATA = new Set(['.json', '.csv', '.txt', '.md']);

export const isHidden = (name: string) => name.startsWith('.');
export const isMetadata = (name: string) => METADATA.has(extname(name).toLowerCase());

/**
 * Expand the CLI's arguments: a file is taken as given (whatever it is — in the bucket anything can arrive);
 * a directory means every file in it, recursively, except hidden files and metadata. Sorted for stable output.
 */
export function expandInputs(paths: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (isHidden(name)) continue;
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && !isMetadata(name)) files.push(full);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files, missing };
}
