import { type GateSettings, readGateSettings } from '@0bit/api/config';
import { GENERATE_HINT, KEY_BYTES, TEXT_SECRET, textSymbols, weakness } from '@0bit/core/secret-strength';
import { type Env, SettingsReader } from '@0bit/core/settings';
import { type ExchangeConfig, readExchangeSettings } from '@0bit/exchange/config';
import { type HealthSettings, readHealthSettings } from '@0bit/http/health';
import { type MetricsSettings, readMetricsSettings } from '@0bit/http/metrics';
import { type HttpTimeouts, readHttpTimeouts } from '@0bit/http/timeouts';
import { type HubSettings, readHubSettings } from '@0bit/hub/config';
import { readWebhookSettings, type WebhookSettings } from '@0bit/webhooks/start';

/**
 * Every setting of the platform, read once from the environment and validated at start-up. Each owner
 * declares its own settings and how they are read (0Gate: @0bit/api/config, 0trace: @0bit/exchange/config,
 * webhooks: @0bit/webhooks/start, HTTP timeouts: @0bit/http/timeouts, metrics: @0bit/http/metrics, readiness:
 * @0bit/http/health); this file reads process.env, composes
 * them and owns what the platform process itself needs. The README lists each variable; keep the two in
 * step. Nothing below apps/server reads process.env — it gets what it needs.
 */
export interface Config extends GateSettings {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Hot statements prepared once per PostgreSQL connection (off behind a pooler that cannot keep them). */
  databasePreparedStatements: boolean;
  dataDir: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** Admin bearer token; undefined means "generate one into DATA_DIR" (refused in production). */
  adminToken: string | undefined;
  /** 32-byte key for encryption at rest; undefined means "generate one into DATA_DIR" (refused in production). */
  secretsKey: Buffer | undefined;
  /** More keys that open sealed values (never seal): the key being rotated out, or the one coming in. */
  secretsKeyPrevious: Buffer[];
  rateLimits: boolean;
  logLevel: string;
  production: boolean;
  demoPartner: boolean;
  keyCacheTtlMs: number;
  webhooks: WebhookSettings;
  /** The hosted widget (apps/widget, built) and, with the demo partner, the example shop. */
  widget: { enabled: boolean; port: number; apiBaseUrl: string | undefined; examplePort: number };
  /** The 0trace partner API, served by the same process on its own port. */
  exchange: ExchangeConfig & { enabled: boolean };
  /** How long a client may take to send a request; both APIs use them (http/timeouts.ts). */
  httpTimeouts: HttpTimeouts;
  /** The Partner Hub console (apps/hub) on HUB_PORT. */
  hub: HubSettings;
  /**
   * On SIGTERM: how long each HTTP server may take to answer the requests in flight, and the webhook worker
   * its attempts in flight, before connections are closed and unfinished attempts release their claims.
   */
  shutdownGraceMs: number;
  /** The Prometheus endpoint of this process (METRICS_PORT, METRICS_HOST; @0bit/http/metrics). */
  metrics: MetricsSettings;
  /** Which checks make /health/ready answer 503 (HEALTH_READY_REQUIRES; @0bit/http/health). */
  health: HealthSettings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: Env = process.env): Config {
  const settings = new SettingsReader(env);
  const production = env.NODE_ENV === 'production';

  let secretsKey: Buffer | undefined;
  if (env.SECRETS_KEY) {
    secretsKey = decodeKey(env.SECRETS_KEY);
    if (!secretsKey) settings.problem('SECRETS_KEY must be 32 bytes as 64 hex characters or base64');
  } else if (production) {
    settings.problem('SECRETS_KEY is required when NODE_ENV=production (32 bytes, hex or base64)');
  }
  const secretsKeyPrevious: Buffer[] = [];
  for (const [i, text] of (env.SECRETS_KEY_PREVIOUS ?? '').split(',').filter(Boolean).entries()) {
    const key = decodeKey(text.trim());
    if (key) secretsKeyPrevious.push(key);
    else
      settings.problem(
        `SECRETS_KEY_PREVIOUS (key ${i + 1}) must be 32 bytes as 64 hex characters or base64; separate several with commas`,
      );
  }
  if (!env.ADMIN_TOKEN && production) settings.problem('ADMIN_TOKEN is required when NODE_ENV=production');
  if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length < 24)
    settings.problem('ADMIN_TOKEN must be at least 24 characters');
  // Production refuses secrets that are obviously not random (zeros, repeats, sequences); see secret-strength.ts.
  if (production) {
    const weak = (name: string, why: string | null) => {
      if (why) settings.problem(`${name} ${why}; production needs a random secret (${GENERATE_HINT})`);
    };
    if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length >= 24)
      weak('ADMIN_TOKEN', weakness(textSymbols(env.ADMIN_TOKEN), TEXT_SECRET));
    if (secretsKey) weak('SECRETS_KEY', weakness([...secretsKey], KEY_BYTES));
  }

  const widgetPort = settings.int('WIDGET_PORT', 3000, 0, 65535);
  // Unset WIDGET_ORIGIN follows WIDGET_PORT, so a start on other ports accepts its own widget's calls.
  const gate = readGateSettings(settings, production, `http://localhost:${widgetPort || 3000}`);
  const webhooks = readWebhookSettings(settings, production);

  // One secret serving as another: a leak of the least guarded one (the admin token in a shell history)
  // would hand over the others too.
  if (production) {
    const named: Array<[string, string]> = [
      ['ADMIN_TOKEN', env.ADMIN_TOKEN ?? ''],
      ['SECRETS_KEY', env.SECRETS_KEY ?? ''],
      ...(gate.embedTokenKeys ?? []).map((key): [string, string] => ['EMBED_TOKEN_SECRET', key.secret]),
    ];
    for (const [i, [first, value]] of named.entries())
      for (const [second, other] of named.slice(i + 1))
        if (value && value === other && first !== second)
          settings.problem(
            `${first} and ${second} are the same secret; production needs a different random value for each`,
          );
  }

  // The demo partner's sk_test and 0trace sandbox secrets are printed to stdout: never in production.
  const demo = settings.oneOf('DEMO_PARTNER', 'auto', ['auto', 'on', 'off'] as const);
  if (demo === 'on' && production)
    settings.problem(
      'DEMO_PARTNER=on is refused when NODE_ENV=production: the demo partner is for local development only (use auto or off)',
    );
  const config: Config = {
    ...gate,
    port: settings.int('PORT', 4000, 0, 65535),
    host: settings.text('HOST') ?? '0.0.0.0',
    databaseUrl: settings.text('DATABASE_URL'),
    databasePoolSize: settings.int('DATABASE_POOL_SIZE', 10, 1, 200),
    databasePreparedStatements: settings.flag('DATABASE_PREPARED_STATEMENTS', true),
    dataDir: settings.text('DATA_DIR') ?? './.data',
    redisUrl: settings.text('REDIS_URL'),
    redisKeyPrefix: settings.text('REDIS_KEY_PREFIX') ?? '0bit:',
    adminToken: settings.text('ADMIN_TOKEN'),
    secretsKey,
    secretsKeyPrevious,
    rateLimits: settings.oneOf('RATE_LIMITS', 'on', ['on', 'off'] as const) === 'on',
    logLevel: settings.oneOf('LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    production,
    demoPartner: !production && (demo === 'on' || (demo === 'auto' && !env.DATABASE_URL)),
    keyCacheTtlMs: settings.int('KEY_CACHE_TTL_MS', 2000, 0, 60_000),
    webhooks,
    widget: {
      enabled: settings.flag('WIDGET_ENABLED', true),
      port: widgetPort,
      apiBaseUrl: settings.text('WIDGET_API_BASE_URL'),
      examplePort: settings.int('EXAMPLE_PORT', 5173, 0, 65535),
    },
    exchange: readExchangeSettings(settings),
    httpTimeouts: readHttpTimeouts(settings),
    hub: readHubSettings(settings, production),
    shutdownGraceMs: settings.int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    metrics: readMetricsSettings(settings),
    health: readHealthSettings(settings),
  };
  if (settings.problems.length > 0) throw new ConfigError(settings.problems);
  return config;
}

function decodeKey(text: string): Buffer | undefined {
  const buf = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return buf.length === 32 ? buf : undefined;
}
