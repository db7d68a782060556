import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '@0bit/core/secret-box';
import { openDatabase } from '@0bit/db/connection';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { REPO_ROOT, runScript } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';
import { buildExchangeApp } from '../src/app.ts';
import { signedPost } from './support/server.ts';

describe('npm run admin -- exchange', () => {
  it('onboards a partner whose printed credentials sign a working request, and points its webhooks', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'exchange-cli-'));
    const secretsKey = randomBytes(32);
    const pg = usingPostgres() ? await createTestDatabase() : null;
    const env = { DATA_DIR: dataDir, SECRETS_KEY: secretsKey.toString('hex'), DATABASE_URL: pg?.url };
    try {
      const admin = join(REPO_ROOT, 'apps/server/src/cli/admin.ts');
      const onboarded = await runScript(admin, ['exchange', 'onboard', '--name', 'Acme'], env);
      expect(onboarded.code, onboarded.stderr).toBe(0);
      expect(onboarded.stderr).toContain('shown only now');
      const creds = JSON.parse(onboarded.stdout);
      const webhook = await runScript(
        admin,
        [
          'exchange',
          'webhook',
          creds.partnerId,
          '--environment',
          'sandbox',
          '--url',
          'http://localhost:8080/hooks',
        ],
        env,
      );
      expect(JSON.parse(webhook.stdout)).toMatchObject({ url: 'http://localhost:8080/hooks' });
      const refused = await runScript(
        admin,
        ['exchange', 'webhook', creds.partnerId, '--environment', 'live', '--url', 'http://x'],
        env,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('https');

      const database = await openDatabase(pg ? { databaseUrl: pg.url } : { dataDir });
      const app = await buildExchangeApp({
        db: database.db,
        box: new SecretBox(secretsKey),
        adminToken: 'x'.repeat(32),
        counter: null,
      });
      try {
        await app.listen({ port: 0, host: '127.0.0.1' });
        const body = '{"type":"float","fromCcy":"sol","toCcy":"eth","direction":"from","amount":"10"}';
        const answer = await signedPost(
          `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
          '/api/v1/price',
          body,
          creds,
        );
        // 10 SOL × 150 / 3000 × 0.995 = 0.4975 ETH, minus the 0.0006 network fee
        expect(answer.body).toMatchObject({ code: 0, data: { to: { code: 'eth', amount: '0.4969' } } });
      } finally {
        await app.close();
        await database.close();
      }
    } finally {
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
