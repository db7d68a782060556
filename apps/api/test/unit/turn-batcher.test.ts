import { TurnBatcher } from '@0bit/core/turn-batcher';
import { describe, expect, it } from 'vitest';

describe('TurnBatcher', () => {
  it('hands the calls of one event-loop turn to one run, split at maxBatch, and answers each its own result', async () => {
    const runs: number[][] = [];
    const batcher = new TurnBatcher<number, string>(async (items) => {
      runs.push(items);
      return items.map((n) => `#${n}`);
    }, 4);
    const first = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.add(n)));
    expect(first).toEqual(['#1', '#2', '#3', '#4', '#5', '#6']);
    expect(runs).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    // A later turn is a new batch.
    expect(await batcher.add(7)).toBe('#7');
    expect(runs).toHaveLength(3);
  });

  it('fails every call of a batch whose run throws, and the next batch runs again', async () => {
    let failing = true;
    const batcher = new TurnBatcher<string, string>(async (items) => {
      if (failing) throw new Error('store down');
      return items;
    });
    const results = await Promise.allSettled([batcher.add('a'), batcher.add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    failing = false;
    expect(await batcher.add('c')).toBe('c');
  });
});
