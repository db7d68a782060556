interface Pending<In, Out> {
  item: In;
  settle: (result: Out) => void;
  fail: (error: unknown) => void;
}

/**
 * Collects the calls made in one turn of the event loop and hands them to `run` together: one round trip
 * (and on PostgreSQL one commit) per turn instead of one per request, for writes every request makes (nonce
 * claims, fixed quotes). `run` answers one result per item, in order; if it throws, every item of that batch
 * fails with its error. A queue longer than `maxBatch` is split, so one call never holds the store for long.
 */
export class TurnBatcher<In, Out> {
  private queue: Pending<In, Out>[] = [];

  constructor(
    private readonly run: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch = 256,
  ) {}

  add(item: In): Promise<Out> {
    return new Promise((settle, fail) => {
      this.queue.push({ item, settle, fail });
      // setImmediate runs after the poll phase: every request read in this turn is queued by then.
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const queued = this.queue;
    this.queue = [];
    for (let start = 0; start < queued.length; start += this.maxBatch)
      void this.runBatch(queued.slice(start, start + this.maxBatch));
  }

  private async runBatch(batch: Pending<In, Out>[]): Promise<void> {
    let results: Out[];
    try {
      results = await this.run(batch.map((pending) => pending.item));
    } catch (error) {
      for (const pending of batch) pending.fail(error);
      return;
    }
    batch.forEach((pending, i) => {
      pending.settle(results[i] as Out);
    });
  }
}
