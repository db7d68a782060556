import { newObjectId } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import { TtlCache } from '@0bit/core/ttl-cache';
import type { Db } from '@0bit/db/connection';
import { type Quote, QuoteError, quote } from '@0bit/markets';
import { traceError } from '../errors.ts';
import type { QuoteRow, QuoteWriter } from '../store/quotes.ts';
import { findRefcode, type RefcodeRow } from '../store/refcodes.ts';
import type { Providers, ProvidersByMode } from './providers.ts';
import type { PriceParams, Quote as QuoteAnswer } from './shapes.ts';

const ENVIRONMENT_NAME = { test: 'sandbox', live: 'live' } as const;

export function providersFor(providers: ProvidersByMode, scope: Pick<Scope, 'mode'>): Providers {
  const found = providers[scope.mode];
  if (!found)
    throw traceError(
      'UNAVAILABLE',
      'Live trading has no liquidity provider configured on this server; use your sandbox credentials, or ask your 0trace contact to enable live mode',
    );
  return found;
}

/**
 * Reference codes change rarely and are read on every quote: one instance reuses a lookup for `ttlMs` (the
 * same bound as credentials); a change made through this instance's cabinet is seen at once.
 */
export class RefcodeCache {
  private readonly cache: TtlCache<RefcodeRow>;

  constructor(ttlMs: number) {
    this.cache = new TtlCache(ttlMs);
  }

  find(db: Db, scope: Scope, code: string | undefined): Promise<RefcodeRow | undefined> {
    return this.cache.get(`${scope.partnerId}:${scope.mode}:${code ?? ''}`, () =>
      findRefcode(db, scope, code),
    );
  }

  forget(partnerId: string): void {
    this.cache.forget((row) => row.partner_id === partnerId);
  }
}

export async function resolveRefcode(
  db: Db,
  cache: RefcodeCache,
  scope: Scope,
  code: string | undefined,
): Promise<RefcodeRow> {
  const row = await cache.find(db, scope, code);
  if (!row)
    throw traceError(
      'INVALID_REQUEST',
      code === undefined
        ? `Your partner record has no default ${ENVIRONMENT_NAME[scope.mode]} reference code; create one in the cabinet (POST /api/v1/cabinet/refcodes/create)`
        : `refcode "${code}" is not one of your ${ENVIRONMENT_NAME[scope.mode]} reference codes (each environment has its own); list them with POST /api/v1/cabinet/refcodes`,
    );
  return row;
}

/** Prices with the shared engine, translating its errors into the catalogue's codes. */
export async function priceWith(
  providers: Providers,
  params: PriceParams,
  markupBps: number,
): Promise<Quote> {
  try {
    return await quote({ ...params, markupBps }, providers.prices);
  } catch (error) {
    if (error instanceof QuoteError)
      throw traceError(
        error.kind === 'INVALID_AMOUNT' ? 'INVALID_REQUEST' : error.kind,
        error.message,
        error.details,
      );
    throw error;
  }
}

export function quoteData(q: Quote, refcode: string, fixed: QuoteRow | null): QuoteAnswer {
  return {
    type: q.type,
    direction: q.direction,
    refcode,
    from: q.from,
    to: q.to,
    rate: q.rate,
    markupBps: q.markupBps,
    serviceFeeBps: q.serviceFeeBps,
    /** Fixed quotes only: a matching /create before this (unix seconds) gets exactly these amounts. */
    quoteId: fixed?.id ?? null,
    expiresAt: fixed ? Math.floor(fixed.expires_at.getTime() / 1000) : null,
  };
}

/** POST /api/v1/price. A fixed quote is stored so a matching create inside its lifetime is honoured. */
export async function price(
  deps: { db: Db; providers: ProvidersByMode; refcodes: RefcodeCache; quotes: QuoteWriter },
  scope: Scope,
  params: PriceParams,
  fixedRateTtlSeconds: number,
) {
  const { db } = deps;
  const chosen = providersFor(deps.providers, scope);
  const refcode = await resolveRefcode(db, deps.refcodes, scope, params.refcode);
  const q = await priceWith(chosen, params, refcode.markup_bps);
  const fixed =
    params.type === 'fixed'
      ? await deps.quotes.insert({
          id: newObjectId(),
          partner_id: scope.partnerId,
          mode: scope.mode,
          refcode: refcode.code,
          from_ccy: q.from.code,
          to_ccy: q.to.code,
          direction: q.direction,
          amount: params.amount,
          from_amount: q.from.amount,
          to_amount: q.to.amount,
          rate: q.rate,
          markup_bps: q.markupBps,
          service_fee_bps: q.serviceFeeBps,
          expires_at: new Date(Date.now() + fixedRateTtlSeconds * 1000),
        })
      : null;
  return quoteData(q, refcode.code, fixed);
}
