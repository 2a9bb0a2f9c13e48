import { readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';

/** s3rver keeps an object as `<name>._S3rver_object`, `…_object.md5` and `…_metadata.json` (written in that order). */
const META_SUFFIX = '._S3rver_metadata.json';

/**
 * Before the local S3 store starts: remove uploads a crash cut while their metadata was being written. s3rver writes
 * the bytes, then the MD5, then the metadata JSON, and answers the PUT only after all three, so an object whose
 * metadata does not parse was never acknowledged (its client resends it). Left in place, it makes s3rver answer
 * every listing with InternalError, and the stack could not start. Returns the removed objects' paths.
 */
export function removeCutUploads(directory: string): string[] {
  const removed: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!entry.name.endsWith(META_SUFFIX)) continue;
      try {
        JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        const base = path.slice(0, -META_SUFFIX.length);
        for (const f of [path, `${base}._S3rver_object`, `${base}._S3rver_object.md5`]) rmSync(f, { force: true });
        removed.push(relative(directory, base));
      }
    }
  };
  walk(directory);
  return removed;
}
