import type { KeyLookup } from '../store/api-keys.ts';

/**
 * Remembers key lookups for a short time so a busy key costs one database round trip per TTL instead of
 * one per request (retrieve went from ~3,000 to ~4,300 req/s on PostgreSQL; bench/RESULTS.md). The price
 * is bounded staleness: a revoked key, or a partner's changed allowed_domains, reaches every instance
 * within the TTL. Only lookups of existing keys are kept; unknown keys always go to the database.
 */
export class KeyCache {
  private readonly entries = new Map<string, { expiresAt: number; value: KeyLookup }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string): KeyLookup | undefined {
    if (this.ttlMs <= 0) return undefined;
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.value;
  }

  set(hash: string, value: KeyLookup): void {
    if (this.ttlMs <= 0) return;
    // Map keeps insertion order: dropping the first entry drops the oldest.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { expiresAt: Date.now() + this.ttlMs, value });
  }

  /** Forget everything of one partner, e.g. after its keys or domains change in this process. */
  forgetPartner(partnerId: string): void {
    for (const [hash, entry] of this.entries)
      if (entry.value.partner_id === partnerId) this.entries.delete(hash);
  }
}
