import { loadConfig } from '@0bit/server/config';
import { describe, expect, it } from 'vitest';
import { configProblems } from './support/config.ts';

const problems = configProblems;

describe('each owner reads its own settings; the composition root names every problem at once', () => {
  it('collects problems from 0Gate, 0trace, webhooks, HTTP timeouts and the platform in one error', () => {
    expect(
      problems({
        PORT: '70000',
        HOST_MODES: 'example.com=prod',
        EXCHANGE_PORT: 'x',
        WEBHOOK_RETRY_SCHEDULE: '60,-1',
        HTTP_IDLE_TIMEOUT_MS: '-5',
      }).sort(),
    ).toEqual(
      [
        'PORT must be an integer from 0 to 65535 (got "70000")',
        'HOST_MODES: "example.com=prod" is not host=test, host=live or host=test+live',
        'EXCHANGE_PORT must be an integer from 0 to 65535 (got "x")',
        'WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds such as "60,300,1800,7200"',
        'HTTP_IDLE_TIMEOUT_MS must be an integer from 0 to 3600000 (got "-5")',
      ].sort(),
    );
  });

  it('reads each owner from the same variables with the same defaults', () => {
    const config = loadConfig({ EXCHANGE_ENABLED: 'false', WEBHOOK_BATCH_SIZE: '7', TRUST_PROXY: 'true' });
    expect(config.exchange).toMatchObject({ enabled: false, port: 4100, depositWindowSeconds: 1800 });
    expect(config.webhooks).toMatchObject({ batchSize: 7, concurrency: 64, pollIntervalMs: 30_000 });
    expect(config.trustProxy).toBe(true);
    expect(config.sessionSweepIntervalMs).toBe(60_000);
    expect(config.httpTimeouts.keepAliveTimeoutMs).toBe(72_000);
  });

  it('an empty variable counts as unset, an unknown word is refused', () => {
    expect(loadConfig({ HOST: '', LOG_LEVEL: '' })).toMatchObject({ host: '0.0.0.0', logLevel: 'info' });
    expect(problems({ WIDGET_ENABLED: 'yes' })).toEqual([
      'WIDGET_ENABLED must be one of true, false (got "yes")',
    ]);
  });
});

describe('the Partner Hub settings (apps/hub/src/config.ts)', () => {
  it('defaults to port 3100 on localhost, outbox mail, and names bad values', () => {
    expect(loadConfig({}).hub).toEqual({
      enabled: true,
      port: 3100,
      publicUrl: 'http://localhost:3100',
      smtpUrl: undefined,
      mailFrom: 'Partner Hub <hub@localhost>',
    });
    expect(loadConfig({ HUB_PORT: '3200' }).hub.publicUrl).toBe('http://localhost:3200');
    expect(problems({ HUB_PUBLIC_URL: 'hub.example.com', SMTP_URL: 'mail.example.com' }).sort()).toEqual(
      [
        'HUB_PUBLIC_URL must be an origin such as https://hub.example.com',
        'SMTP_URL must start with smtp:// or smtps://',
      ].sort(),
    );
    expect(
      problems({ NODE_ENV: 'production', HUB_PUBLIC_URL: 'http://hub.example.com' }).filter((p) =>
        p.startsWith('HUB_'),
      ),
    ).toEqual(['HUB_PUBLIC_URL must be https:// when NODE_ENV=production']);
  });
});
