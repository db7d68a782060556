import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedPost } from '@0bit/exchange/test-support/server';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { nodeArgsOfScript, spawnCommand } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';

describe('npm run exchange (the 0trace API as its own process)', () => {
  it('starts, serves a signed price with the demo sandbox credentials, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'exchange-standalone-'));
    const pg = usingPostgres() ? await createTestDatabase() : null;
    // The package.json script's own command line, Node flags included.
    const child = spawnCommand(process.execPath, nodeArgsOfScript('exchange'), {
      DATA_DIR: dataDir,
      DATABASE_URL: pg?.url,
      DEMO_PARTNER: 'on',
      EXCHANGE_PORT: '0',
      HOST: '127.0.0.1',
    });
    try {
      await child.waitForOutput(/Demo sandbox apiKey/, 60_000); // PGlite start + migrations, on a busy CI box
      const port = Number(/listening on http:\/\/localhost:(\d+)/.exec(child.output())![1]);
      const creds = JSON.parse(readFileSync(join(dataDir, 'demo-exchange.json'), 'utf8'));
      expect(child.output()).not.toContain(creds.apiSecret);
      const body = '{"type":"fixed","fromCcy":"eth","toCcy":"btc","direction":"from","amount":"1"}';
      const answer = await signedPost(`http://127.0.0.1:${port}`, '/api/v1/price', body, creds);
      // 1 ETH × 3 000 / 60 000 × 0.99 = 0.0495 BTC, minus the 0.00002 BTC payout fee
      expect(answer.body).toMatchObject({
        code: 0,
        data: { to: { amount: '0.04948' }, quoteId: expect.any(String) },
      });
      expect(await child.stop('SIGTERM')).toBe(0);
    } finally {
      await child.stop('SIGKILL');
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
