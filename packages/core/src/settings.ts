/**
 * Reading settings from environment variables, for owners that declare their own (0Gate, 0trace, webhooks,
 * HTTP timeouts) while one composition root reads process.env once. Every reader collects its problems
 * instead of throwing at the first, so a bad start-up names all of them at once. envalid and friends were
 * considered: their messages differ from the ones operators and tests already read, and this is forty lines.
 */

/** The variables as read once by the composition root (process.env, or a test's object). */
export type Env = Readonly<Record<string, string | undefined>>;

export class SettingsReader {
  /** Every problem found so far, in the order the owners read their settings. */
  readonly problems: string[] = [];

  constructor(readonly env: Env) {}

  /** The raw value; an empty string counts as unset. */
  text(name: string): string | undefined {
    return this.env[name] || undefined;
  }

  /** An integer within [min, max]; unset → fallback; out of range → a problem and the fallback. */
  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** One of a fixed list of words; unset → fallback; anything else → a problem and the fallback. */
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!allowed.includes(raw as T)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  /** `true` or `false`. */
  flag(name: string, fallback: boolean): boolean {
    return this.oneOf(name, fallback ? 'true' : 'false', ['true', 'false'] as const) === 'true';
  }

  /**
   * A value with its own parser; a parser's error becomes `${name}${separator}${message}` and the fallback
   * is kept. Unset → fallback without calling the parser.
   */
  parsed<T>(name: string, fallback: T, parse: (text: string) => T, separator = ': '): T {
    const raw = this.env[name];
    if (!raw) return fallback;
    try {
      return parse(raw);
    } catch (error) {
      this.problems.push(`${name}${separator}${(error as Error).message}`);
      return fallback;
    }
  }

  /** A problem found by an owner's own check (a combination of settings, a production rule). */
  problem(message: string): void {
    this.problems.push(message);
  }
}
