import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * DATA_DIR holds the embedded database (IBANs, wallets, metadata in plain text) and dev secrets, so only its
 * owner may enter it: the directory is 0700, which alone shuts out everyone else whatever the modes of the
 * files inside. PGlite's file layer creates files 0666 whatever the umask, so everything under it is also
 * tightened (directories 0700, files without group/other bits) when the database opens and closes.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tightenTree(dir);
}

/** Removes group and other permissions from `root` and everything under it that this process owns. */
export function tightenTree(root: string): void {
  const uid = process.getuid?.();
  const walk = (path: string) => {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      return; // removed meanwhile (PostgreSQL deletes temporary files)
    }
    if (stat.isSymbolicLink()) return; // never follow a link out of the directory
    if (uid !== undefined && stat.uid !== uid) return; // not ours to change
    const mode = stat.isDirectory() ? 0o700 : stat.mode & 0o700;
    if ((stat.mode & 0o777) !== mode) {
      try {
        chmodSync(path, mode);
      } catch {
        return;
      }
    }
    if (stat.isDirectory()) {
      let entries: string[] = [];
      try {
        entries = readdirSync(path);
      } catch {}
      for (const entry of entries) walk(join(path, entry));
    }
  };
  walk(root);
}
