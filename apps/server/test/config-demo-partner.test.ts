import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@0bit/server/config';
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
