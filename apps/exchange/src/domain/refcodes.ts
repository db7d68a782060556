import type { Scope } from '@0bit/core/scope';
import type { Audit } from '@0bit/db/audit';
import { type Db, inTransaction } from '@0bit/db/connection';
import { isUniqueViolation } from '@0bit/db/errors';
import { lockScopeSettings } from '@0bit/db/scope-lock';
import { MAX_MARKUP_BPS } from '@0bit/markets';
import { traceError } from '../errors.ts';
import {
  clearDefaultRefcode,
  findRefcode,
  insertRefcode,
  listRefcodes,
  type RefcodeRow,
  updateRefcode,
} from '../store/refcodes.ts';

/**
 * Reference codes: one partner record, several surfaces (a website, an app, a white-label) each with its own
 * markup, chosen per request with `refcode`; requests without one use the default code. Each mode has its
 * own codes: sandbox credentials manage and use sandbox codes, live credentials live ones.
 */
const toDto = (row: RefcodeRow) => ({
  code: row.code,
  markupBps: row.markup_bps,
  default: row.is_default,
  createdAt: Math.floor(row.created_at.getTime() / 1000),
});

const auditView = (row: RefcodeRow) => ({
  code: row.code,
  markupBps: row.markup_bps,
  default: row.is_default,
});

function checkMarkup(markupBps: number): void {
  if (!Number.isInteger(markupBps) || markupBps < 0 || markupBps > MAX_MARKUP_BPS)
    throw traceError('INVALID_REQUEST', `markupBps must be an integer from 0 to ${MAX_MARKUP_BPS} (5 %)`);
}

const alreadyExists = (code: string) =>
  traceError('INVALID_STATE', `Reference code "${code}" already exists; update it instead`);

/**
 * Changes of one partner's codes in one mode run one at a time: "clear the default, then set it" by two
 * requests at once collided on the one-default index (a 500 on PostgreSQL). Should a unique index still
 * refuse a row (a writer outside this module), the partner gets the documented answer, not a 500.
 */
async function serialised<T>(db: Db, scope: Scope, code: string, fn: (trx: Db) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(db, async (trx) => {
      await lockScopeSettings(trx, scope);
      return fn(trx);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'exchange_refcodes_pkey')) throw alreadyExists(code);
    if (isUniqueViolation(error))
      throw traceError(
        'INVALID_STATE',
        'Another change to your reference codes happened at the same moment; read them (/api/v1/cabinet/refcodes) and retry',
      );
    throw error;
  }
}

export async function listCodes(db: Db, scope: Scope) {
  return (await listRefcodes(db, scope)).map(toDto);
}

export async function createCode(
  db: Db,
  scope: Scope,
  input: { code: string; markupBps: number; default?: boolean | undefined },
  audit?: Audit,
) {
  checkMarkup(input.markupBps);
  return serialised(db, scope, input.code, async (trx) => {
    if (input.default) await clearDefaultRefcode(trx, scope);
    const row = await insertRefcode(trx, {
      partner_id: scope.partnerId,
      mode: scope.mode,
      code: input.code,
      markup_bps: input.markupBps,
      is_default: input.default ?? false,
    });
    if (!row) throw alreadyExists(input.code);
    await audit?.(trx, {
      action: 'exchange.refcode.create',
      target: `refcode:${row.code}`,
      after: auditView(row),
    });
    return toDto(row);
  });
}

export async function updateCode(
  db: Db,
  scope: Scope,
  input: { code: string; markupBps?: number | undefined; default?: boolean | undefined },
  audit?: Audit,
) {
  if (input.markupBps === undefined && input.default === undefined)
    throw traceError('INVALID_REQUEST', 'Send markupBps, default or both: there is nothing to change');
  if (input.markupBps !== undefined) checkMarkup(input.markupBps);
  if (input.default === false)
    throw traceError('INVALID_REQUEST', 'Make another code the default instead of unsetting this one');
  return serialised(db, scope, input.code, async (trx) => {
    const before = audit && (await findRefcode(trx, scope, input.code));
    if (input.default) await clearDefaultRefcode(trx, scope);
    const row = await updateRefcode(trx, scope, input.code, {
      ...(input.markupBps !== undefined ? { markup_bps: input.markupBps } : {}),
      ...(input.default ? { is_default: true } : {}),
    });
    if (!row) throw traceError('NOT_FOUND', `No reference code "${input.code}"`);
    await audit?.(trx, {
      action: 'exchange.refcode.update',
      target: `refcode:${row.code}`,
      before: before ? auditView(before) : null,
      after: auditView(row),
    });
    return toDto(row);
  });
}
