import {
  DEFAULT_HOST_MODES,
  type EmbedTokenKey,
  type HostModes,
  parseEmbedTokenKeys,
  parseHostModes,
  parseWidgetOrigins,
} from '@0bit/api/config';
import type { Mode } from '@0bit/core/scope';
import { GENERATE_HINT, KEY_BYTES, TEXT_SECRET, textSymbols, weakness } from '@0bit/core/secret-strength';
import { EXCHANGE_DEFAULTS, type ExchangeConfig } from '@0bit/exchange/config';
import { HTTP_TIMEOUT_DEFAULTS, type HttpTimeouts } from '@0bit/http/timeouts';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from '@0bit/webhooks/schedule';
import type { WebhookSettings } from '@0bit/webhooks/start';

/**
 * Every setting of the API process, read once from the environment and validated at start-up. The README
 * lists each variable; keep the two in step. Domain code never reads process.env — it gets what it needs.
 */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** Admin bearer token; undefined means "generate one into DATA_DIR" (refused in production). */
  adminToken: string | undefined;
  /** 32-byte key for encryption at rest; undefined means "generate one into DATA_DIR" (refused in production). */
  secretsKey: Buffer | undefined;
  hostModes: HostModes;
  trustProxy: boolean;
  rateLimits: boolean;
  logLevel: string;
  production: boolean;
  demoPartner: boolean;
  sessionSweepIntervalMs: number;
  keyCacheTtlMs: number;
  /** The hosted widget's origin per mode: the only origin the X-Embed-Token guard accepts calls from. */
  widgetOrigins: Record<Mode, string>;
  /** Embed-token signing keys, newest (signing) first; undefined → generated into DATA_DIR in dev. */
  embedTokenKeys: EmbedTokenKey[] | undefined;
  embedTokenTtlSeconds: number;
  webhooks: WebhookSettings;
  /** The hosted widget (apps/widget, built) and, with the demo partner, the example shop. */
  widget: { enabled: boolean; port: number; apiBaseUrl: string | undefined; examplePort: number };
  /** The 0trace partner API, served by the same process on its own port. */
  exchange: ExchangeConfig & { enabled: boolean };
  /** How long a client may take to send a request; both APIs use them (http/timeouts.ts). */
  httpTimeouts: HttpTimeouts;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!allowed.includes(raw as T))
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return allowed.includes(raw as T) ? (raw as T) : fallback;
  };

  const production = env.NODE_ENV === 'production';
  let hostModes: HostModes = parseHostModes(DEFAULT_HOST_MODES);
  try {
    if (env.HOST_MODES) hostModes = parseHostModes(env.HOST_MODES);
  } catch (error) {
    problems.push(`HOST_MODES: ${(error as Error).message}`);
  }

  let secretsKey: Buffer | undefined;
  if (env.SECRETS_KEY) {
    secretsKey = decodeKey(env.SECRETS_KEY);
    if (!secretsKey) problems.push('SECRETS_KEY must be 32 bytes as 64 hex characters or base64');
  } else if (production) {
    problems.push('SECRETS_KEY is required when NODE_ENV=production (32 bytes, hex or base64)');
  }
  if (!env.ADMIN_TOKEN && production) problems.push('ADMIN_TOKEN is required when NODE_ENV=production');
  if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length < 24)
    problems.push('ADMIN_TOKEN must be at least 24 characters');
  // Production refuses secrets that are obviously not random (zeros, repeats, sequences); see secret-strength.ts.
  if (production) {
    const weak = (name: string, why: string | null) => {
      if (why) problems.push(`${name} ${why}; production needs a random secret (${GENERATE_HINT})`);
    };
    if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length >= 24)
      weak('ADMIN_TOKEN', weakness(textSymbols(env.ADMIN_TOKEN), TEXT_SECRET));
    if (secretsKey) weak('SECRETS_KEY', weakness([...secretsKey], KEY_BYTES));
  }

  let retrySchedule = DEFAULT_RETRY_SCHEDULE;
  try {
    if (env.WEBHOOK_RETRY_SCHEDULE) retrySchedule = parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE);
  } catch (error) {
    problems.push(`WEBHOOK_RETRY_SCHEDULE ${(error as Error).message}`);
  }

  let widgetOrigins: Record<Mode, string> = { test: 'http://localhost:3000', live: 'http://localhost:3000' };
  try {
    if (env.WIDGET_ORIGIN) widgetOrigins = parseWidgetOrigins(env.WIDGET_ORIGIN);
  } catch (error) {
    problems.push(`WIDGET_ORIGIN: ${(error as Error).message}`);
  }
  let embedTokenKeys: EmbedTokenKey[] | undefined;
  try {
    if (env.EMBED_TOKEN_SECRET) embedTokenKeys = parseEmbedTokenKeys(env.EMBED_TOKEN_SECRET);
    else if (production) problems.push('EMBED_TOKEN_SECRET is required when NODE_ENV=production');
    if (production)
      for (const [i, key] of (embedTokenKeys ?? []).entries()) {
        // Named by position: a kid derived from a weak secret would hint at it.
        const why = weakness(textSymbols(key.secret), TEXT_SECRET);
        if (why)
          problems.push(
            `EMBED_TOKEN_SECRET (secret ${i + 1} of ${embedTokenKeys!.length}) ${why}; production needs a random secret (${GENERATE_HINT})`,
          );
      }
  } catch (error) {
    problems.push(`EMBED_TOKEN_SECRET: ${(error as Error).message}`);
  }

  // One secret serving as another: a leak of the least guarded one (the admin token in a shell history)
  // would hand over the others too.
  if (production) {
    const named: Array<[string, string]> = [
      ['ADMIN_TOKEN', env.ADMIN_TOKEN ?? ''],
      ['SECRETS_KEY', env.SECRETS_KEY ?? ''],
      ...(embedTokenKeys ?? []).map((key): [string, string] => ['EMBED_TOKEN_SECRET', key.secret]),
    ];
    for (const [i, [first, value]] of named.entries())
      for (const [second, other] of named.slice(i + 1))
        if (value && value === other && first !== second)
          problems.push(
            `${first} and ${second} are the same secret; production needs a different random value for each`,
          );
  }

  // Loopback is for `npm start` + `gate listen` on a laptop; a deployment never calls into itself.
  const allowLoopback =
    oneOf('WEBHOOK_ALLOW_LOOPBACK', production ? 'false' : 'true', ['true', 'false'] as const) === 'true';
  if (allowLoopback && production)
    problems.push(
      'WEBHOOK_ALLOW_LOOPBACK=true is refused when NODE_ENV=production: loopback webhooks are for local development only',
    );

  // The demo partner's sk_test and 0trace sandbox secrets are printed to stdout: never in production.
  const demo = oneOf('DEMO_PARTNER', 'auto', ['auto', 'on', 'off'] as const);
  if (demo === 'on' && production)
    problems.push(
      'DEMO_PARTNER=on is refused when NODE_ENV=production: the demo partner is for local development only (use auto or off)',
    );
  const config: Omit<Config, 'httpTimeouts'> & Partial<Pick<Config, 'httpTimeouts'>> = {
    port: int('PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 200),
    dataDir: env.DATA_DIR || './.data',
    redisUrl: env.REDIS_URL || undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || '0bit:',
    adminToken: env.ADMIN_TOKEN || undefined,
    secretsKey,
    hostModes,
    trustProxy: oneOf('TRUST_PROXY', 'false', ['true', 'false'] as const) === 'true',
    rateLimits: oneOf('RATE_LIMITS', 'on', ['on', 'off'] as const) === 'on',
    logLevel: oneOf('LOG_LEVEL', 'info', [
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
    sessionSweepIntervalMs: int('SESSION_SWEEP_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
    keyCacheTtlMs: int('KEY_CACHE_TTL_MS', 2000, 0, 60_000),
    widgetOrigins,
    embedTokenKeys,
    embedTokenTtlSeconds: int('EMBED_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    webhooks: {
      workerEnabled: oneOf('WEBHOOK_WORKER_ENABLED', 'true', ['true', 'false'] as const) === 'true',
      retrySchedule,
      pollIntervalMs: int('WEBHOOK_POLL_INTERVAL_SECONDS', 30, 1, 3600) * 1000,
      batchSize: int('WEBHOOK_BATCH_SIZE', 20, 1, 1000),
      concurrency: int('WEBHOOK_CONCURRENCY', 32, 1, 1000),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      allowLoopback,
    },
    widget: {
      enabled: oneOf('WIDGET_ENABLED', 'true', ['true', 'false'] as const) === 'true',
      port: int('WIDGET_PORT', 3000, 0, 65535),
      apiBaseUrl: env.WIDGET_API_BASE_URL || undefined,
      examplePort: int('EXAMPLE_PORT', 5173, 0, 65535),
    },
    exchange: {
      enabled: oneOf('EXCHANGE_ENABLED', 'true', ['true', 'false'] as const) === 'true',
      port: int('EXCHANGE_PORT', EXCHANGE_DEFAULTS.port, 0, 65535),
      depositWindowSeconds: int(
        'EXCHANGE_DEPOSIT_WINDOW_SECONDS',
        EXCHANGE_DEFAULTS.depositWindowSeconds,
        1,
        7 * 86_400,
      ),
      fixedRateTtlSeconds: int(
        'EXCHANGE_FIXED_RATE_TTL_SECONDS',
        EXCHANGE_DEFAULTS.fixedRateTtlSeconds,
        1,
        86_400,
      ),
      sandboxSettleMs: int('EXCHANGE_SANDBOX_SETTLE_MS', EXCHANGE_DEFAULTS.sandboxSettleMs, 0, 600_000),
      rotationOverlapSeconds: int(
        'EXCHANGE_ROTATION_OVERLAP_SECONDS',
        EXCHANGE_DEFAULTS.rotationOverlapSeconds,
        0,
        30 * 86_400,
      ),
    },
  };
  const httpTimeouts: HttpTimeouts = {
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs, 500, 600_000),
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs, 500, 600_000),
    keepAliveTimeoutMs: int(
      'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs,
      1000,
      600_000,
    ),
    idleTimeoutMs: int('HTTP_IDLE_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.idleTimeoutMs, 0, 3_600_000),
  };
  if (httpTimeouts.headersTimeoutMs > httpTimeouts.requestTimeoutMs)
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS');
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, httpTimeouts };
}

function decodeKey(text: string): Buffer | undefined {
  const buf = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return buf.length === 32 ? buf : undefined;
}
