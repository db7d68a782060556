import { randomBytes } from 'node:crypto';
import { sweepIdempotencyKeys } from '@0bit/db/idempotency';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FLOAT_ORDER, useExchangeServer } from './support/server.ts';

/** 0trace's Idempotency-Key under the platform's one semantics (docs/idempotency.md). */
const server = useExchangeServer();
const newKey = () => randomBytes(12).toString('hex');

async function ordersOf(partnerId: string) {
  return server.database.db
    .selectFrom('exchange_orders')
    .select('id')
    .where('partner_id', '=', partnerId)
    .execute();
}

describe('0trace idempotency', () => {
  it('stores a 4xx answer: the retry gets it again, and the key cannot be reused for another body', async () => {
    const creds = await server.onboard();
    const key = newKey();
    const bad = { ...FLOAT_ORDER, toAddress: 'not-an-address' };
    const first = await server.signed('/api/v1/create', bad, creds, { 'idempotency-key': key });
    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ code: 2, msg: 'INVALID_ADDRESS', data: { field: 'toAddress' } });

    const retry = await server.signed('/api/v1/create', bad, creds, { 'idempotency-key': key });
    expect(retry.status).toBe(400);
    expect(retry.body.data).toEqual({ ...first.body.data, requestId: retry.body.data.requestId });
    const row = await server.database.db
      .selectFrom('exchange_idempotency')
      .select(['response_status'])
      .where('partner_id', '=', creds.partnerId)
      .where('key', '=', key)
      .executeTakeFirst();
    expect(row?.response_status).toBe(400);

    const corrected = await server.signed('/api/v1/create', FLOAT_ORDER, creds, { 'idempotency-key': key });
    expect(corrected.status).toBe(409);
    expect(corrected.body).toMatchObject({ code: 8, msg: 'IDEMPOTENCY_CONFLICT' });
    expect(await ordersOf(creds.partnerId)).toHaveLength(0);
  });

  it('does not store a malformed request (code 1): the corrected create with the same key makes the order', async () => {
    const creds = await server.onboard();
    const key = newKey();
    const first = await server.signed('/api/v1/create', { ...FLOAT_ORDER, amount: 'abc' }, creds, {
      'idempotency-key': key,
    });
    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
    const corrected = await server.signed('/api/v1/create', FLOAT_ORDER, creds, { 'idempotency-key': key });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ code: 0 });
    expect(await ordersOf(creds.partnerId)).toHaveLength(1);
  });

  it('forgets a key after 24 h: the sweep deletes its row and the key makes a new order', async () => {
    const creds = await server.onboard();
    const key = newKey();
    const first = await server.signed('/api/v1/create', FLOAT_ORDER, creds, { 'idempotency-key': key });
    expect(first.body.code).toBe(0);
    const replay = await server.signed('/api/v1/create', FLOAT_ORDER, creds, { 'idempotency-key': key });
    expect(replay.body.data.id).toBe(first.body.data.id);

    await sql`UPDATE exchange_idempotency SET created_at = now() - interval '25 hours'
              WHERE partner_id = ${creds.partnerId}`.execute(server.database.db);
    expect(await sweepIdempotencyKeys(server.database.db)).toBeGreaterThanOrEqual(1);
    const left = await server.database.db
      .selectFrom('exchange_idempotency')
      .select('key')
      .where('partner_id', '=', creds.partnerId)
      .execute();
    expect(left).toHaveLength(0);

    const again = await server.signed('/api/v1/create', FLOAT_ORDER, creds, { 'idempotency-key': key });
    expect(again.body.code).toBe(0);
    expect(again.body.data.id).not.toBe(first.body.data.id);
    expect(await ordersOf(creds.partnerId)).toHaveLength(2);
  });
});
