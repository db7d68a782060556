import { Writable } from 'node:stream';
import { lazyRequestLogger } from '@0bit/http/request-logger';
import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';

/** A Fastify app logging JSON lines into an array, with the lazy request logger. */
async function appLoggingAt(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  let ids = 0;
  const logger = pino({ level }, stream);
  // Counts the children pino makes (they inherit `child` from the root, so `this` is whoever asks).
  const pinoChild = logger.child;
  const made = { children: 0 };
  logger.child = function (this: typeof logger, ...args: Parameters<typeof pinoChild>) {
    made.children++;
    return pinoChild.apply(this, args);
  } as typeof logger.child;
  const app = Fastify({
    loggerInstance: logger,
    childLoggerFactory: lazyRequestLogger,
    genReqId: () => `req_${++ids}`,
  });
  app.get('/quiet', async (request) => {
    request.log.info('filtered at warn');
    request.log.debug({ detail: 1 }, 'filtered everywhere here');
    return { ok: true };
  });
  app.get('/loud', async (request) => {
    request.log.warn({ order: 'o_1' }, 'something to look at');
    request.log.child({ step: 'payout' }).error('nested');
    return { ok: true };
  });
  app.get('/verbose', { logLevel: 'debug' }, async (request) => {
    request.log.debug('a route that asks for debug');
    return { ok: true };
  });
  await app.ready();
  return { app, lines, made };
}

describe('lazy request logger', () => {
  it('writes nothing for a request that logs below the level, and binds reqId to what is logged', async () => {
    const { app, lines, made } = await appLoggingAt('warn');
    const before = made.children;
    await app.inject('/quiet');
    expect(lines).toEqual([]);
    expect(made.children).toBe(before); // no pino child was made for it
    await app.inject('/loud');
    expect(lines).toMatchObject([
      { level: 40, reqId: 'req_2', order: 'o_1', msg: 'something to look at' },
      { level: 50, reqId: 'req_2', step: 'payout', msg: 'nested' },
    ]);
    await app.close();
  });

  it("keeps Fastify's request lines at info, and a route's own level", async () => {
    const { app, lines } = await appLoggingAt('info');
    await app.inject('/quiet');
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
      ['req_1', 'incoming request'],
      ['req_1', 'filtered at warn'],
      ['req_1', 'request completed'],
    ]);
    lines.length = 0;
    await app.inject('/verbose');
    expect(lines.map((l) => l.msg)).toContain('a route that asks for debug');
    await app.close();
  });
});
