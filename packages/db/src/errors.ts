/** A unique index refused the row (PostgreSQL and PGlite both report SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e?.code !== '23505') return false;
  return !constraint || e.constraint === constraint || String(e.message).includes(constraint);
}
