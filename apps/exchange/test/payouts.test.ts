import { findCurrency } from '@0bit/markets';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ChainGateway,
  ReferenceReusedError,
  SANDBOX_PROVIDERS,
  SandboxChain,
  type Transfer,
  type TransferReference,
  type TransferRequest,
} from '../src/domain/providers.ts';
import { startSettlement } from '../src/settlement.ts';
import {
  type Credentials,
  type ExchangeTestServer,
  eventually,
  FLOAT_ORDER,
  SANDBOX_ADDRESSES,
  startExchangeServer,
  useExchangeServer,
} from './support/server.ts';

/** The sandbox chain answering after `latencyMs`, as a real chain does: the window concurrent actors race in. */
class SlowChain extends SandboxChain {
  constructor(private readonly latencyMs = 0) {
    super();
  }
  override async send(request: TransferRequest): Promise<Transfer> {
    await new Promise((r) => setTimeout(r, this.latencyMs));
    return super.send(request);
  }
  transfersFor(reference: string) {
    return this.transfers().filter((t) => t.reference === reference);
  }
  sendsFor(reference: string) {
    return this.sendCalls(reference as TransferReference);
  }
}

const quiet = { info: () => {}, warn: () => {} };
const CREATE = FLOAT_ORDER;

async function createOrders(server: ExchangeTestServer, creds: Credentials, count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const created = await server.signed('/api/v1/create', CREATE, creds);
      expect(created.body.code).toBe(0);
      return created.body.data as { id: string; token: string };
    }),
  );
}

/** Settlement loops of other instances, ticking fast, for as long as the test runs. */
function extraLoops(server: ExchangeTestServer, chain: ChainGateway, count: number) {
  return Array.from({ length: count }, () =>
    startSettlement(
      { db: server.database.db, providers: { test: { ...SANDBOX_PROVIDERS, chain }, live: null } },
      5,
      quiet,
    ),
  );
}

/** Eight concurrent /order reads of every order, again and again, until each shows `status`. */
async function readUntil(
  server: ExchangeTestServer,
  creds: Credentials,
  orders: Array<{ id: string; token: string }>,
  status: string,
) {
  return eventually(async () => {
    const reads = await Promise.all(
      orders.flatMap((o) =>
        Array.from({ length: 8 }, () => server.signed('/api/v1/order', { id: o.id, token: o.token }, creds)),
      ),
    );
    for (const read of reads) expect(read.body.code).toBe(0);
    const latest = orders.map((o) =>
      reads.find((r) => r.body.data.id === o.id && r.body.data.status === status),
    );
    return latest.every(Boolean) ? latest.map((r) => r!.body.data) : undefined;
  }, 15_000);
}

async function statusEvents(server: ExchangeTestServer, orderId: string, status: string) {
  const rows = await server.database.db
    .selectFrom('exchange_events')
    .select('data')
    .where('order_id', '=', orderId)
    .execute();
  return rows.filter((r) => (r.data as { status: string }).status === status).length;
}

async function payoutRows(server: ExchangeTestServer, orderId: string) {
  return server.database.db
    .selectFrom('exchange_payouts')
    .selectAll()
    .where('order_id', '=', orderId)
    .execute();
}

describe('money moves once', () => {
  const chain = new SlowChain(20);
  const server = useExchangeServer({
    providers: { test: { ...SANDBOX_PROVIDERS, chain }, live: null },
    config: { sandboxSettleMs: 150 },
  });

  it('pays each order out with exactly one send() under concurrent /order reads and settlement ticks', async () => {
    const creds = await server.onboard();
    const orders = await createOrders(server, creds, 5);
    const loops = extraLoops(server, chain, 3);
    try {
      for (const o of orders) {
        const confirmed = await server.signed('/api/v1/sandbox/deposit', { id: o.id }, creds);
        expect(confirmed.body.data.status).toBe('EXCHANGE');
      }
      const done = await readUntil(server, creds, orders, 'DONE');
      // Reads and loops keep going a moment after DONE: nothing may send again.
      await readUntil(server, creds, orders, 'DONE');
      for (const [i, o] of orders.entries()) {
        const reference = `payout:${o.id}`;
        expect(chain.sendsFor(reference), reference).toBe(1);
        expect(chain.transfersFor(reference)).toHaveLength(1);
        expect(done[i].to.tx.id).toBe(chain.transfersFor(reference)[0]!.txId);
        expect(await statusEvents(server, o.id, 'DONE')).toBe(1);
      }
    } finally {
      await Promise.all(loops.map((l) => l.stop()));
    }
  });

  it('refunds each order with exactly one send() under concurrent REFUND choices, reads and ticks', async () => {
    const creds = await server.onboard();
    const orders = await createOrders(server, creds, 5);
    const loops = extraLoops(server, chain, 3);
    try {
      for (const o of orders) {
        const emergency = await server.signed(
          '/api/v1/sandbox/deposit',
          { id: o.id, amount: '0.0001' },
          creds,
        );
        expect(emergency.body.data.status).toBe('EMERGENCY');
      }
      const choices = await Promise.all(
        orders.flatMap((o) =>
          Array.from({ length: 8 }, (_, i) =>
            server.signed(
              '/api/v1/emergency',
              // Two refund addresses compete: the one that wins is the one the money goes to.
              {
                id: o.id,
                token: o.token,
                choice: 'REFUND',
                address: i % 2 ? SANDBOX_ADDRESSES.btc : 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh',
              },
              creds,
            ),
          ),
        ),
      );
      for (const o of orders) {
        const mine = choices.filter((c) => c.body.code === 0 && c.body.data.id === o.id);
        expect(mine, `accepted REFUND choices for ${o.id}`).toHaveLength(1);
      }
      for (const c of choices.filter((c) => c.body.code !== 0))
        expect(c.body).toMatchObject({ code: 9, msg: 'INVALID_STATE' });
      const refunded = await readUntil(server, creds, orders, 'REFUNDED');
      await readUntil(server, creds, orders, 'REFUNDED');
      for (const [i, o] of orders.entries()) {
        const reference = `refund:${o.id}`;
        expect(chain.sendsFor(reference), reference).toBe(1);
        expect(chain.transfersFor(reference)).toHaveLength(1);
        expect(refunded[i].refund.tx).toMatchObject({
          id: chain.transfersFor(reference)[0]!.txId,
          amount: '0.00008',
        });
        expect(await statusEvents(server, o.id, 'REFUNDED')).toBe(1);
      }
    } finally {
      await Promise.all(loops.map((l) => l.stop()));
    }
  });
});

/** The chain as seen by a process that dies around the call: the answer never gets recorded. */
class DyingChain extends SandboxChain {
  called = 0;
  constructor(
    private readonly real: SandboxChain,
    private readonly transferBeforeDying: boolean,
  ) {
    super();
  }
  override async send(request: TransferRequest): Promise<Transfer> {
    this.called++;
    if (this.transferBeforeDying) await this.real.send(request);
    throw new Error('simulated crash: the process died before it recorded the payout');
  }
}

describe('crash between claim and record', () => {
  const servers: ExchangeTestServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  for (const transferred of [true, false])
    it(`recovers an in-flight payout by asking the chain (${transferred ? 'the transfer was made' : 'the chain never got it'}): exactly one transfer`, async () => {
      const chain = new SlowChain();
      const providers = { test: { ...SANDBOX_PROVIDERS, chain }, live: null };
      const server = await startExchangeServer({
        providers,
        settlement: false,
        config: { sandboxSettleMs: 0 },
      });
      servers.push(server);
      const creds = await server.onboard();
      const [order] = await createOrders(server, creds, 1);
      const { id, token } = order!;
      await server.signed('/api/v1/sandbox/deposit', { id }, creds);
      const reference = `payout:${id}`;

      // The instance that claims the payout dies around the provider call.
      const dying = new DyingChain(chain, transferred);
      const crashed = startSettlement(
        { db: server.database.db, providers: { test: { ...SANDBOX_PROVIDERS, chain: dying }, live: null } },
        20,
        quiet,
      );
      await eventually(async () => (dying.called > 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 100));
      await crashed.stop();
      // Its claim stays in flight: neither its own next ticks nor reads call the chain again before the grace.
      expect(dying.called).toBe(1);
      expect(chain.transfersFor(reference)).toHaveLength(transferred ? 1 : 0);
      expect((await server.signed('/api/v1/order', { id, token }, creds)).body.data.status).toBe('EXCHANGE');
      expect(await payoutRows(server, id)).toMatchObject([{ reference, state: 'sending', tx: null }]);

      // A surviving instance's settlement loop finds the in-flight payout and resolves it.
      const recovery = startSettlement({ db: server.database.db, providers }, 20, quiet, {
        recoverAfterMs: 200,
      });
      try {
        const done = await eventually(async () => {
          const read = await server.signed('/api/v1/order', { id, token }, creds);
          return read.body.data.status === 'DONE' ? read.body.data : undefined;
        });
        await new Promise((r) => setTimeout(r, 300));
        expect(chain.transfersFor(reference)).toHaveLength(1);
        // Made by the dying process and found by recovery, or made once by recovery: one send() either way.
        expect(chain.sendsFor(reference)).toBe(1);
        expect(done.to.tx.id).toBe(chain.transfersFor(reference)[0]!.txId);
        expect(await payoutRows(server, id)).toMatchObject([
          { reference, state: 'sent', tx: done.to.tx.id, attempts: 2 },
        ]);
        expect(await statusEvents(server, id, 'DONE')).toBe(1);
      } finally {
        await recovery.stop();
      }
    });
});

describe('the sandbox chain enforces the reference as an idempotency key', () => {
  it('answers a repeated reference with the first transfer, refuses other terms, and finds a transfer by reference', async () => {
    const chain = new SandboxChain();
    const btc = findCurrency('btc')!;
    const request = {
      currency: btc,
      to: SANDBOX_ADDRESSES.btc,
      amount: '0.5',
      reference: 'payout:abc',
    } as const;
    const answers = await Promise.all(Array.from({ length: 5 }, () => chain.send(request)));
    expect(new Set(answers.map((a) => a.txId)).size).toBe(1);
    expect(chain.transfers()).toEqual([{ ...answers[0], currency: 'btc' }]);
    expect(chain.sendCalls('payout:abc')).toBe(5);
    await expect(chain.send({ ...request, amount: '0.6' })).rejects.toBeInstanceOf(ReferenceReusedError);
    await expect(
      chain.send({ ...request, to: 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh' }),
    ).rejects.toThrow(/already sent 0.5 btc/);
    expect(chain.transfers()).toHaveLength(1);
    expect(await chain.transfer('payout:abc')).toEqual(answers[0]);
    expect(await chain.transfer('refund:abc')).toBeNull();
    const refund = await chain.send({ ...request, reference: 'refund:abc' });
    expect(refund.txId).not.toBe(answers[0]!.txId);
    expect(chain.transfers()).toHaveLength(2);
  });
});
