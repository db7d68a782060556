import { join } from 'node:path';
import { type EmbedTokenKey, parseEmbedTokenKeys } from '@0bit/api/config';
import { randomAlphanumeric } from '@0bit/core/ids';
import { ensurePrivateDir } from '@0bit/core/private-dir';
import { readJsonIfExists, writePrivateJson } from '@0bit/core/private-json';
import { SecretBox } from '@0bit/core/secret-box';

export interface LocalSecrets {
  adminToken: string;
  secretsKey: Buffer;
  embedTokenKeys: EmbedTokenKey[];
  /** Which were generated here (so start-up can say so). */
  generated: { adminToken: boolean; secretsKey: boolean };
}

/**
 * Outside production, a missing ADMIN_TOKEN, SECRETS_KEY or EMBED_TOKEN_SECRET is generated once into DATA_DIR/local-secrets.json
 * (mode 600), so a newcomer needs no setup and restarts keep decrypting what was stored.
 * config.ts refuses to start production without both.
 */
export function resolveLocalSecrets(
  dataDir: string,
  configured: {
    adminToken: string | undefined;
    secretsKey: Buffer | undefined;
    embedTokenKeys: EmbedTokenKey[] | undefined;
  },
): LocalSecrets {
  const file = join(dataDir, 'local-secrets.json');
  const saved =
    readJsonIfExists<{ admin_token?: string; secrets_key?: string; embed_token_secret?: string }>(file) ?? {};
  const adminToken = configured.adminToken ?? saved.admin_token ?? `adm_${randomAlphanumeric(40)}`;
  const secretsKey =
    configured.secretsKey ??
    (saved.secrets_key ? Buffer.from(saved.secrets_key, 'base64') : SecretBox.generateKey());
  const embedSecret = saved.embed_token_secret ?? randomAlphanumeric(48);
  const embedTokenKeys = configured.embedTokenKeys ?? parseEmbedTokenKeys(`dev:${embedSecret}`);
  const generated = { adminToken: !configured.adminToken, secretsKey: !configured.secretsKey };
  const missing =
    (generated.adminToken && !saved.admin_token) ||
    (generated.secretsKey && !saved.secrets_key) ||
    (!configured.embedTokenKeys && !saved.embed_token_secret);
  if (missing) {
    ensurePrivateDir(dataDir);
    const content = {
      admin_token: adminToken,
      secrets_key: secretsKey.toString('base64'),
      embed_token_secret: embedSecret,
    };
    writePrivateJson(file, content);
  }
  return { adminToken, secretsKey, embedTokenKeys, generated };
}
