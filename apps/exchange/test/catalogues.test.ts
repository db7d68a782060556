import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENCIES, SANDBOX_PRICES } from '@0bit/markets';
import { REPO_ROOT } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';

/** The rows of the markdown table that follows `<!-- marker -->` in a doc. */
function tableAfter(doc: string, marker: string): string[][] {
  const text = readFileSync(join(REPO_ROOT, 'docs/exchange', doc), 'utf8');
  const rows = text
    .slice(text.indexOf(`<!-- ${marker} -->`))
    .split('\n')
    .slice(1);
  const table = rows.slice(
    0,
    rows.findIndex((line, i) => i > 0 && !line.startsWith('|')),
  );
  return table.slice(2).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/`/g, '')),
  );
}

describe('documented catalogues match the code', () => {
  it('docs/exchange/errors.md lists every error code with its name, HTTP status and a remedy', () => {
    const rows = tableAfter('errors.md', 'error-catalogue');
    const documented = rows.filter((r) => r[0] !== '0').map((r) => [Number(r[0]), r[1], Number(r[2])]);
    const actual = Object.entries(ERROR_CODES).map(([name, { code, status }]) => [code, name, status]);
    expect(documented).toEqual(actual);
    for (const row of rows.slice(1)) expect(row[4]!.length, `remedy for ${row[1]}`).toBeGreaterThan(10);
  });

  it('docs/exchange/currencies.md lists every currency with its network, decimals, limits, fee, confirmations and sandbox price', () => {
    const rows = tableAfter('currencies.md', 'currency-catalogue');
    expect(rows).toEqual(
      CURRENCIES.map((c) => [
        c.code,
        c.name,
        c.network,
        String(c.decimals),
        c.minAmount,
        c.maxAmount,
        c.networkFee,
        String(c.confirmations),
        SANDBOX_PRICES[c.asset],
      ]),
    );
  });
});
