interface Entry<V> {
  expiresAt: number;
  pending: Promise<V | undefined>;
  /** Set once `pending` settles with a value; `forget` matches on it. */
  value?: V;
}

/**
 * Remembers lookups that every request makes (API keys, credentials, reference codes) for a short time, so a
 * busy key costs one database round trip per TTL instead of one per request. The price is bounded
 * staleness: a change made through another instance reaches this one within the TTL (a change made here
 * calls `forget`). Misses are not kept — an unknown key always asks the database — and concurrent callers
 * share one load, so an expiring entry under load causes one query, not one per waiting request.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (this.ttlMs <= 0) return load();
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.pending;
    // Map keeps insertion order: dropping the first entry drops the oldest.
    if (!cached && this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value!);
    const entry: Entry<V> = { expiresAt: now + this.ttlMs, pending: load() };
    this.entries.set(key, entry);
    const dropIfCurrent = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    entry.pending.then((value) => {
      if (value === undefined) dropIfCurrent();
      else entry.value = value;
    }, dropIfCurrent);
    return entry.pending;
  }

  /** Forgets the entries `matches` picks, and every load still in flight (its value is not known yet). */
  forget(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries)
      if (entry.value === undefined || matches(entry.value)) this.entries.delete(key);
  }
}
