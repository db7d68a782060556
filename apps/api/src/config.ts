import { createHash } from 'node:crypto';
import { EXCHANGE_DEFAULTS, type ExchangeConfig } from '../../exchange/src/config.ts';
import type { Mode } from './domain/keys.ts';
import { GENERATE_HINT, KEY_BYTES, TEXT_SECRET, textSymbols, weakness } from './secret-strength.ts';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, type RetrySchedule } from './webhooks/schedule.ts';

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
  webhooks: {
    workerEnabled: boolean;
    retrySchedule: RetrySchedule;
    pollIntervalMs: number;
    batchSize: number;
    concurrency: number;
    timeoutMs: number;
    /** Test-mode webhooks may reach loopback: local development only, refused in production. */
    allowLoopback: boolean;
  };
  /** The hosted widget (apps/widget, built) and, with the demo partner, the example shop. */
  widget: { enabled: boolean; port: number; apiBaseUrl: string | undefined; examplePort: number };
  /** The 0trace partner API, served by the same process on its own port. */
  exchange: ExchangeConfig & { enabled: boolean };
  /** How long a client may take to send a request; both APIs use them (http/timeouts.ts). */
  httpTimeouts: HttpTimeouts;
}

/**
 * Without these a client that sends half a body (or a Content-Length larger than its body) holds a
 * connection and its memory forever: Fastify's requestTimeout is 0 by default.
 */
export interface HttpTimeouts {
  /** The whole request, headers and body, must arrive within this (Fastify requestTimeout); answered 408. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (node's headersTimeout); at most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; above a load balancer's idle timeout (60 s on AWS). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is destroyed (Fastify connectionTimeout); 0 turns it off. */
  idleTimeoutMs: number;
}

export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 72_000,
  idleTimeoutMs: 120_000,
};

export interface EmbedTokenKey {
  kid: string;
  secret: string;
}

/** "secret" (kid derived from it) or "kid1:secret1,kid2:secret2" — the first one signs, all verify. */
export function parseEmbedTokenKeys(text: string): EmbedTokenKey[] {
  const keys = text.split(',').map((entry) => {
    const at = entry.indexOf(':');
    const [kid, secret] = at > 0 ? [entry.slice(0, at), entry.slice(at + 1)] : ['', entry];
    if (secret.length < 32) throw new Error('each secret must be at least 32 characters');
    return { kid: kid || createHash('sha256').update(secret).digest('hex').slice(0, 8), secret };
  });
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new Error('key ids must be unique');
  return keys;
}

/** "https://gate.example" for both modes, or "test=https://…,live=https://…". */
export function parseWidgetOrigins(text: string): Record<Mode, string> {
  const entries = text.split(',').map((e) => e.trim());
  const origins: Partial<Record<Mode, string>> = {};
  for (const entry of entries) {
    const match = /^(test|live)=(.+)$/.exec(entry);
    const value = match ? match[2]! : entry;
    if (new URL(value).origin !== value) throw new Error(`"${value}" is not an exact origin`);
    if (match) origins[match[1] as Mode] = value;
    else origins.test = origins.live = value;
  }
  if (!origins.test || !origins.live) throw new Error('give one origin, or both test=… and live=…');
  return origins as Record<Mode, string>;
}

/** host (lower-case, no port) → the modes it serves; `*` matches any host not listed. */
export type HostModes = Map<string, ReadonlySet<Mode>>;

export const DEFAULT_HOST_MODES =
  'gate-api-sandbox.0bit.app=test,gate-api.0bit.app=live,localhost=test+live,127.0.0.1=test+live,[::1]=test+live';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function parseHostModes(text: string): HostModes {
  const map: HostModes = new Map();
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [host, modes] = entry.split('=');
    const set = new Set((modes ?? '').split('+').map((m) => m.trim()));
    if (!host || set.size === 0 || [...set].some((m) => m !== 'test' && m !== 'live'))
      throw new Error(`"${entry}" is not host=test, host=live or host=test+live`);
    map.set(host.trim().toLowerCase(), set as Set<Mode>);
  }
  return map;
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
