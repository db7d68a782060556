import { TtlCache } from '@0bit/core/ttl-cache';
import { describe, expect, it } from 'vitest';

interface Row {
  partner_id: string;
  n: number;
}

/** A lookup that counts its calls and answers when the test says so. */
function slowLookup(answer: Row | undefined) {
  let calls = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    load: async () => {
      calls++;
      await gate;
      return answer;
    },
    calls: () => calls,
    release: () => release(),
  };
}

describe('TtlCache', () => {
  it('answers every concurrent caller from one load, and reuses the value until the TTL ends', async () => {
    const cache = new TtlCache<Row>(60);
    const lookup = slowLookup({ partner_id: 'p1', n: 1 });
    const waiting = Array.from({ length: 50 }, () => cache.get('k', lookup.load));
    lookup.release();
    const answers = await Promise.all(waiting);
    expect(lookup.calls()).toBe(1);
    expect(new Set(answers.map((a) => a?.n))).toEqual(new Set([1]));
    await cache.get('k', lookup.load);
    expect(lookup.calls()).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    await cache.get('k', lookup.load);
    expect(lookup.calls()).toBe(2);
  });

  it('never keeps a miss or a failed load: the next caller asks again', async () => {
    const cache = new TtlCache<Row>(10_000);
    const miss = slowLookup(undefined);
    const first = [cache.get('k', miss.load), cache.get('k', miss.load)];
    miss.release();
    expect(await Promise.all(first)).toEqual([undefined, undefined]);
    expect(miss.calls()).toBe(1); // concurrent callers still share the one load
    await cache.get('k', miss.load);
    expect(miss.calls()).toBe(2);

    let failures = 0;
    const failing = async (): Promise<Row | undefined> => {
      failures++;
      throw new Error('database down');
    };
    await expect(cache.get('f', failing)).rejects.toThrow('database down');
    await expect(cache.get('f', failing)).rejects.toThrow('database down');
    expect(failures).toBe(2);
  });

  it('forgets what a change in this process names, and every load still in flight', async () => {
    const cache = new TtlCache<Row>(10_000);
    let loads = 0;
    const load = (row: Row) => async () => {
      loads++;
      return row;
    };
    await cache.get('a', load({ partner_id: 'p1', n: 1 }));
    await cache.get('b', load({ partner_id: 'p2', n: 2 }));
    const inFlight = slowLookup({ partner_id: 'p2', n: 3 });
    const pending = cache.get('c', inFlight.load);
    cache.forget((row) => row.partner_id === 'p1');
    inFlight.release();
    await pending;
    expect(loads).toBe(2);
    await cache.get('a', load({ partner_id: 'p1', n: 4 })); // forgotten: loads again
    await cache.get('b', load({ partner_id: 'p2', n: 5 })); // kept
    expect(loads).toBe(3);
    expect((await cache.get('c', load({ partner_id: 'p2', n: 6 })))?.n).toBe(6); // was in flight: forgotten
  });

  it('caches nothing with a TTL of 0, and drops the oldest entry when full', async () => {
    let loads = 0;
    const load = async () => ({ partner_id: 'p', n: ++loads });
    const off = new TtlCache<Row>(0);
    await off.get('k', load);
    await off.get('k', load);
    expect(loads).toBe(2);

    const small = new TtlCache<Row>(10_000, 2);
    await small.get('1', load);
    await small.get('2', load);
    await small.get('3', load); // evicts '1'
    const before = loads;
    await small.get('2', load);
    await small.get('3', load);
    expect(loads).toBe(before);
    await small.get('1', load);
    expect(loads).toBe(before + 1);
  });
});
