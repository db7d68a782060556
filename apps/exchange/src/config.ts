/**
 * The 0trace partner API's settings. The platform process reads them from the environment with the rest of
 * its settings (apps/api/src/config.ts, EXCHANGE_* variables, listed in the README); database, secrets key,
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
