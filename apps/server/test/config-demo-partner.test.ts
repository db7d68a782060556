import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAllowedDomains } from '@0bit/db/partners';
import { ConfigError, loadConfig } from '@0bit/server/config';
import { demoAllowedDomains, ensureDemoPartner } from '@0bit/server/dev/demo-partner';
import { freshDatabase } from '@0bit/testing/database';
import { describe, expect, it } from 'vitest';

// Issue #14 (widget follow-up, LOW): NODE_ENV=production with DEMO_PARTNER=auto created the demo partner and
// printed its sk_test and 0trace sandbox secrets to stdout. Production never creates it.
const strong = {
  ADMIN_TOKEN: randomBytes(24).toString('base64url'),
  SECRETS_KEY: randomBytes(32).toString('hex'),
  EMBED_TOKEN_SECRET: randomBytes(32).toString('base64url'),
};

function attempt(env: Record<string, string>) {
  try {
    return { config: loadConfig(env), problems: [] as string[] };
  } catch (error) {
    if (error instanceof ConfigError) return { config: null, problems: error.problems };
    throw error;
  }
}

describe('DEMO_PARTNER in production', () => {
  it('auto (the default) and off mean no demo partner in production, on PGlite too', () => {
    for (const DEMO_PARTNER of ['auto', 'off', '']) {
      const { config, problems } = attempt({ NODE_ENV: 'production', ...strong, DEMO_PARTNER });
      expect(problems).toEqual([]);
      expect(config?.demoPartner).toBe(false);
    }
    expect(attempt({ NODE_ENV: 'production', ...strong }).config?.demoPartner).toBe(false);
  });

  it('on is refused at validation, naming the variable', () => {
    const { problems } = attempt({ NODE_ENV: 'production', ...strong, DEMO_PARTNER: 'on' });
    expect(problems.join('\n')).toMatch(/DEMO_PARTNER=on is refused when NODE_ENV=production/);
  });

  it('outside production: auto is on for PGlite and off for PostgreSQL; on and off force it', () => {
    expect(attempt({ DEMO_PARTNER: 'auto' }).config?.demoPartner).toBe(true);
    expect(attempt({ DEMO_PARTNER: 'auto', DATABASE_URL: 'postgres://x@h/db' }).config?.demoPartner).toBe(
      false,
    );
    expect(attempt({ DEMO_PARTNER: 'on', DATABASE_URL: 'postgres://x@h/db' }).config?.demoPartner).toBe(true);
    expect(attempt({ DEMO_PARTNER: 'off' }).config?.demoPartner).toBe(false);
  });
});

// Fresh eyes (#13): a start on other ports refused its own widget and shop, because WIDGET_ORIGIN and the
// demo partner's allowed domains were fixed to :3000 and :5173.
describe('other ports', () => {
  it('WIDGET_ORIGIN follows WIDGET_PORT when unset, and an explicit WIDGET_ORIGIN wins', () => {
    expect(attempt({ WIDGET_PORT: '18501' }).config?.widgetOrigins).toEqual({
      test: 'http://localhost:18501',
      live: 'http://localhost:18501',
    });
    expect(attempt({}).config?.widgetOrigins.test).toBe('http://localhost:3000');
    expect(
      attempt({ WIDGET_PORT: '18501', WIDGET_ORIGIN: 'https://widget.example' }).config?.widgetOrigins.test,
    ).toBe('https://widget.example');
  });

  it('the demo partner allows the widget and shop of this start, also when it was created on other ports', async () => {
    const database = await freshDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'demo-ports-'));
    try {
      const first = await ensureDemoPartner(
        database.db,
        dataDir,
        demoAllowedDomains({ widget: 3000, example: 5173 }),
      );
      expect((await findAllowedDomains(database.db, first.partnerId)).test).toEqual([
        'http://localhost:3000',
        'http://localhost:5173',
      ]);
      const again = await ensureDemoPartner(
        database.db,
        dataDir,
        demoAllowedDomains({ widget: 18501, example: 18502 }),
      );
      expect(again.partnerId).toBe(first.partnerId);
      expect(again.created).toBe(false);
      expect((await findAllowedDomains(database.db, first.partnerId)).test).toEqual([
        'http://localhost:3000',
        'http://localhost:5173',
        'http://localhost:18501',
        'http://localhost:18502',
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await database.close();
    }
  });
});
