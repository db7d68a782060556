import { toErrorResponse } from '@0bit/api/http/errors';
import { isDatabaseUnavailable } from '@0bit/db/connection';
import { ConfigError, loadConfig } from '@0bit/server/config';
import { describe, expect, it } from 'vitest';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database errors that mean "unavailable, retry"', () => {
  it.each([
    ['server restarting (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['server starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['connection exception (08006)', pgError('08006')],
    ['refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['dropped', new Error('Connection terminated unexpectedly')],
    ['pool wait', new Error('timeout exceeded when trying to connect')],
    [
      'refused on IPv4 and IPv6',
      Object.assign(new AggregateError([pgError('ECONNREFUSED')]), { code: undefined }),
    ],
  ])('%s → 503 envelope', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(toErrorResponse(error)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
  });

  it.each([
    ['unique violation (23505)', pgError('23505')],
    ['syntax error (42601)', pgError('42601')],
    ['a bug', new TypeError('cannot read properties of undefined')],
  ])('%s stays a 500', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(toErrorResponse(error).statusCode).toBe(500);
  });
});

describe('HTTP timeout settings', () => {
  it('defaults to bounded timeouts and refuses a header timeout longer than the request timeout', () => {
    expect(loadConfig({}).httpTimeouts).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 72_000,
      idleTimeoutMs: 120_000,
    });
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
  });
});
