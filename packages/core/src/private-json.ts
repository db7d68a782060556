import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Dev-only files in DATA_DIR that hold secrets (generated keys, demo credentials): readable by their owner
 * only. chmod after writing, because `mode` applies only when the file is created.
 */
export function writePrivateJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readJsonIfExists<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}
