import { createHash } from 'node:crypto';
import type { Mode } from '@0bit/core/scope';
import { GENERATE_HINT, TEXT_SECRET, textSymbols, weakness } from '@0bit/core/secret-strength';
import type { SettingsReader } from '@0bit/core/settings';

/**
 * The settings 0Gate's own code takes, how each is read from its environment variable, and the parsers for
 * their forms. The composition root (apps/server/src/config.ts) reads process.env once and hands a reader
 * to each owner; the README lists the variables.
 */
export interface GateSettings {
  hostModes: HostModes;
  trustProxy: boolean;
  sessionSweepIntervalMs: number;
  /** The hosted widget's origin per mode: the only origin the X-Embed-Token guard accepts calls from. */
  widgetOrigins: Record<Mode, string>;
  /** Embed-token signing keys, newest (signing) first; undefined → generated into DATA_DIR in dev. */
  embedTokenKeys: EmbedTokenKey[] | undefined;
  embedTokenTtlSeconds: number;
  /** Per-currency session amount bounds over the fee model's defaults (docs/sessions.md). */
  sessionAmountBounds: Record<string, { min: string; max: string }>;
}

/** HOST_MODES, TRUST_PROXY, SESSION_SWEEP_INTERVAL_SECONDS, WIDGET_ORIGIN, EMBED_TOKEN_SECRET/_TTL_SECONDS. */
export function readGateSettings(
  settings: SettingsReader,
  production: boolean,
  /** Where the platform serves the widget when WIDGET_ORIGIN is not set (the composition root knows its port). */
  defaultWidgetOrigin = 'http://localhost:3000',
): GateSettings {
  const hostModes = settings.parsed('HOST_MODES', parseHostModes(DEFAULT_HOST_MODES), parseHostModes);
  const widgetOrigins = settings.parsed<Record<Mode, string>>(
    'WIDGET_ORIGIN',
    { test: defaultWidgetOrigin, live: defaultWidgetOrigin },
    parseWidgetOrigins,
  );
  const embedTokenKeys = settings.parsed<EmbedTokenKey[] | undefined>(
    'EMBED_TOKEN_SECRET',
    undefined,
    parseEmbedTokenKeys,
  );
  if (!settings.text('EMBED_TOKEN_SECRET') && production)
    settings.problem('EMBED_TOKEN_SECRET is required when NODE_ENV=production');
  // Production refuses secrets that are obviously not random (core/secret-strength.ts).
  if (production)
    for (const [i, key] of (embedTokenKeys ?? []).entries()) {
      // Named by position: a kid derived from a weak secret would hint at it.
      const why = weakness(textSymbols(key.secret), TEXT_SECRET);
      if (why)
        settings.problem(
          `EMBED_TOKEN_SECRET (secret ${i + 1} of ${embedTokenKeys!.length}) ${why}; production needs a random secret (${GENERATE_HINT})`,
        );
    }
  return {
    hostModes,
    trustProxy: settings.flag('TRUST_PROXY', false),
    sessionSweepIntervalMs: settings.int('SESSION_SWEEP_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
    widgetOrigins,
    embedTokenKeys,
    embedTokenTtlSeconds: settings.int('EMBED_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    sessionAmountBounds: settings.parsed('SESSION_AMOUNT_BOUNDS', {}, parseAmountBounds),
  };
}

/** host (lower-case, no port) → the modes it serves; `*` matches any host not listed. */
export type HostModes = Map<string, ReadonlySet<Mode>>;

export const DEFAULT_HOST_MODES =
  'gate-api-sandbox.0bit.app=test,gate-api.0bit.app=live,localhost=test+live,127.0.0.1=test+live,[::1]=test+live';

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

/** "EUR=10:5000,USD=5.00:20000.00": per currency, the smallest and largest session amount. */
export function parseAmountBounds(text: string): Record<string, { min: string; max: string }> {
  const bounds: Record<string, { min: string; max: string }> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^([A-Z]{3})=(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not CUR=min:max, e.g. EUR=10:5000`);
    const [, currency, min, max] = match;
    if (Number(min) <= 0 || Number(min) > Number(max))
      throw new Error(`"${entry}": min must be positive and at most max`);
    bounds[currency!] = { min: min!, max: max! };
  }
  return bounds;
}

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
