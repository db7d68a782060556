import type { SettingsReader } from '@0bit/core/settings';

/**
 * The 0trace partner API's settings and how they are read (EXCHANGE_* variables, listed in the README). The
 * composition root (apps/server/src/config.ts) hands readExchangeSettings its reader; database, secrets key,
 * admin token and Redis are shared with 0Gate.
 */
export interface ExchangeConfig {
  port: number;
  /** How long an order waits for its deposit before it is EXPIRED. */
  depositWindowSeconds: number;
  /** How long a fixed quote (and a fixed order's rate) holds. */
  fixedRateTtlSeconds: number;
  /** Sandbox: how long EXCHANGE takes before the simulated payout makes the order DONE. */
  sandboxSettleMs: number;
  /** After a key rotation the previous apiKey/apiSecret (or webhook secret) keeps working this long. */
  rotationOverlapSeconds: number;
}

export const EXCHANGE_DEFAULTS: ExchangeConfig = {
  port: 4100,
  depositWindowSeconds: 30 * 60,
  fixedRateTtlSeconds: 10 * 60,
  sandboxSettleMs: 2000,
  rotationOverlapSeconds: 24 * 3600,
};

/** EXCHANGE_ENABLED (npm start serves 0trace too) and the EXCHANGE_* settings of the app itself. */
export function readExchangeSettings(settings: SettingsReader): ExchangeConfig & { enabled: boolean } {
  const d = EXCHANGE_DEFAULTS;
  return {
    enabled: settings.flag('EXCHANGE_ENABLED', true),
    port: settings.int('EXCHANGE_PORT', d.port, 0, 65535),
    depositWindowSeconds: settings.int(
      'EXCHANGE_DEPOSIT_WINDOW_SECONDS',
      d.depositWindowSeconds,
      1,
      7 * 86_400,
    ),
    fixedRateTtlSeconds: settings.int('EXCHANGE_FIXED_RATE_TTL_SECONDS', d.fixedRateTtlSeconds, 1, 86_400),
    sandboxSettleMs: settings.int('EXCHANGE_SANDBOX_SETTLE_MS', d.sandboxSettleMs, 0, 600_000),
    rotationOverlapSeconds: settings.int(
      'EXCHANGE_ROTATION_OVERLAP_SECONDS',
      d.rotationOverlapSeconds,
      0,
      30 * 86_400,
    ),
  };
}
