import { note, startUnits, stopOnSignals, stopUnits, type Unit } from '@0bit/server/units';
import { describe, expect, it } from 'vitest';

function recorder() {
  const events: string[] = [];
  const log = {
    info: (_obj: object, msg: string) => events.push(`log: ${msg}`),
    error: (obj: object, msg: string) => events.push(`error: ${(obj as { unit: string }).unit}: ${msg}`),
  };
  const unit = (name: string, behaviour: { start?: () => Promise<void>; stop?: () => Promise<void> } = {}) =>
    ({
      name,
      start: async () => {
        events.push(`start ${name}`);
        await behaviour.start?.();
        return [`${name} up`];
      },
      stop: async () => {
        events.push(`stop ${name}`);
        await behaviour.stop?.();
      },
    }) satisfies Unit;
  return { events, log, unit };
}

describe('start/stop units', () => {
  it('start in order, print their lines in order, stop in reverse', async () => {
    const { events, log, unit } = recorder();
    const { started, lines } = await startUnits(
      [unit('database'), note('off', ['x: off']), unit('api')],
      log,
    );
    expect(lines).toEqual(['database up', 'x: off', 'api up']);
    expect(await stopUnits(started, log)).toEqual([]);
    expect(events).toEqual(['start database', 'start api', 'stop api', 'stop database']);
  });

  it('a unit that fails or hangs on stop is logged by name and the others still stop', async () => {
    const { events, log, unit } = recorder();
    const units = [
      unit('database'),
      unit('stuck', { stop: () => new Promise(() => {}) }),
      unit('broken', { stop: async () => Promise.reject(new Error('boom')) }),
      unit('api'),
    ];
    const { started } = await startUnits(units, log);
    events.length = 0;
    expect(await stopUnits(started, log, 50)).toEqual(['broken', 'stuck']);
    expect(events).toEqual([
      'stop api',
      'stop broken',
      'error: broken: unit failed to stop',
      'stop stuck',
      'error: stuck: unit did not stop in time; moving on',
      'stop database',
    ]);
  });

  it('a failed start stops what already started, then fails', async () => {
    const { events, log, unit } = recorder();
    const units = [
      unit('database'),
      unit('api', { start: async () => Promise.reject(new Error('port in use')) }),
    ];
    await expect(startUnits(units, log)).rejects.toThrow('port in use');
    expect(events).toEqual(['start database', 'start api', 'stop database']);
  });

  it('a signal stops every unit and exits 0; a second signal exits 1 at once', async () => {
    const { events, log, unit } = recorder();
    let release = () => {};
    const slow = unit('slow', { stop: () => new Promise<void>((resolve) => (release = resolve)) });
    const { started } = await startUnits([unit('database'), slow], log);
    const exits: number[] = [];
    const stop = stopOnSignals(started, log, { signals: false, exit: (code) => exits.push(code) });
    const first = stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 10));
    await stop('SIGINT');
    expect(exits).toEqual([1]);
    release();
    await first;
    expect(exits).toEqual([1, 0]);
    expect(events).toContain('log: shutting down: finishing in-flight requests');
    expect(events.slice(-3)).toEqual(['stop slow', 'stop database', 'log: stopped']);
  });

  it('past the deadline the process exits 1 whatever is still stopping; the log is flushed before exit', async () => {
    const { events, log, unit } = recorder();
    const { started } = await startUnits([unit('stuck', { stop: () => new Promise(() => {}) })], log);
    const exits: number[] = [];
    const stop = stopOnSignals(started, log, {
      signals: false,
      exit: (code) => exits.push(code),
      deadlineMs: 50,
      timeoutMs: 10_000,
    });
    void stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(exits).toEqual([1]);
    expect(events).toContain('error: undefined: shutdown took too long; exiting now');

    const flushed: string[] = [];
    const { started: quick } = await startUnits([unit('api')], log);
    const exitsQuick: number[] = [];
    await stopOnSignals(quick, log, {
      signals: false,
      exit: (code) => exitsQuick.push(code),
      beforeExit: async () => {
        flushed.push(`flushed before exit ${exitsQuick.length}`);
      },
    })('SIGTERM');
    expect(flushed).toEqual(['flushed before exit 0']);
    expect(exitsQuick).toEqual([0]);
  });
});
