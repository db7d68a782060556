import { MAX_MARKUP_BPS } from '@0bit/markets';
import { type Db, inTransaction } from '../../../api/src/store/db.ts';
import {
  clearDefaultRefcode,
  insertRefcode,
  listRefcodes,
  type RefcodeRow,
  updateRefcode,
} from '../store/refcodes.ts';
import { ExchangeError } from './errors.ts';

/**
 * Reference codes: one partner record, several surfaces (a website, an app, a white-label) each with its own
 * markup, chosen per request with `refcode`; requests without one use the default code.
 */
const toDto = (row: RefcodeRow) => ({
  code: row.code,
  markupBps: row.markup_bps,
  default: row.is_default,
  createdAt: Math.floor(row.created_at.getTime() / 1000),
});

function checkMarkup(markupBps: number): void {
  if (!Number.isInteger(markupBps) || markupBps < 0 || markupBps > MAX_MARKUP_BPS)
    throw new ExchangeError(
      'INVALID_REQUEST',
      `markupBps must be an integer from 0 to ${MAX_MARKUP_BPS} (5 %)`,
    );
}

export async function listCodes(db: Db, partnerId: string) {
  return (await listRefcodes(db, partnerId)).map(toDto);
}

export async function createCode(
  db: Db,
  partnerId: string,
  input: { code: string; markupBps: number; default?: boolean | undefined },
) {
  checkMarkup(input.markupBps);
  return inTransaction(db, async (trx) => {
    if (input.default) await clearDefaultRefcode(trx, partnerId);
    const row = await insertRefcode(trx, {
      partner_id: partnerId,
      code: input.code,
      markup_bps: input.markupBps,
      is_default: input.default ?? false,
    });
    if (!row)
      throw new ExchangeError(
        'INVALID_STATE',
        `Reference code "${input.code}" already exists; update it instead`,
      );
    return toDto(row);
  });
}

export async function updateCode(
  db: Db,
  partnerId: string,
  input: { code: string; markupBps?: number | undefined; default?: boolean | undefined },
) {
  if (input.markupBps === undefined && input.default === undefined)
    throw new ExchangeError('INVALID_REQUEST', 'Send markupBps, default or both: there is nothing to change');
  if (input.markupBps !== undefined) checkMarkup(input.markupBps);
  if (input.default === false)
    throw new ExchangeError('INVALID_REQUEST', 'Make another code the default instead of unsetting this one');
  return inTransaction(db, async (trx) => {
    if (input.default) await clearDefaultRefcode(trx, partnerId);
    const row = await updateRefcode(trx, partnerId, input.code, {
      ...(input.markupBps !== undefined ? { markup_bps: input.markupBps } : {}),
      ...(input.default ? { is_default: true } : {}),
    });
    if (!row) throw new ExchangeError('NOT_FOUND', `No reference code "${input.code}"`);
    return toDto(row);
  });
}
