import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomAlphanumeric } from '../domain/ids.ts';
import { SecretBox } from '../store/secret-box.ts';

export interface LocalSecrets {
  adminToken: string;
  secretsKey: Buffer;
  /** Which of the two were generated here (so start-up can say so). */
  generated: { adminToken: boolean; secretsKey: boolean };
}

/**
 * Outside production, a missing ADMIN_TOKEN or SECRETS_KEY is generated once into DATA_DIR/local-secrets.json
 * (mode 600), so a newcomer needs no setup and restarts keep decrypting what was stored.
 * config.ts refuses to start production without both.
 */
export function resolveLocalSecrets(
  dataDir: string,
  configured: { adminToken: string | undefined; secretsKey: Buffer | undefined },
): LocalSecrets {
  const file = join(dataDir, 'local-secrets.json');
  let saved: { admin_token?: string; secrets_key?: string } = {};
  if (existsSync(file)) saved = JSON.parse(readFileSync(file, 'utf8'));
  const adminToken = configured.adminToken ?? saved.admin_token ?? `adm_${randomAlphanumeric(40)}`;
  const secretsKey =
    configured.secretsKey ??
    (saved.secrets_key ? Buffer.from(saved.secrets_key, 'base64') : SecretBox.generateKey());
  const generated = { adminToken: !configured.adminToken, secretsKey: !configured.secretsKey };
  if ((generated.adminToken && !saved.admin_token) || (generated.secretsKey && !saved.secrets_key)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({ admin_token: adminToken, secrets_key: secretsKey.toString('base64') }, null, 2),
      { mode: 0o600 },
    );
    chmodSync(file, 0o600);
  }
  return { adminToken, secretsKey, generated };
}
