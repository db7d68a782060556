import { randomUUID } from 'node:crypto';
import pkg from '../../package.json' with { type: 'json' };
import { ConnectionError, errorForStatus, type GateError, TimeoutError } from './errors.ts';
import { Embed, Sessions, TestHelpers } from './resources.ts';
import { Webhooks } from './webhooks.ts';

/** The production API origin; pass `baseUrl: 'https://gate-api-sandbox.0bit.app'` with sk_test_ keys. */
export const DEFAULT_BASE_URL = 'https://gate-api.0bit.app';

export interface GateClientOptions {
  apiKey: string;
  /** API origin without /v1 (the SDK appends /v1/…); trailing slashes are stripped. */
  baseUrl?: string;
  /** Per attempt. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 2; 0 disables. */
  maxRetries?: number;
  /** Injected fetch (tests, proxies, other runtimes). Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Reused on every retry of this call. Default: a new UUID per call, for POST/PATCH/PUT. */
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;
export const USER_AGENT = `gate-node/${pkg.version}`;

export class GateClient {
  readonly sessions: Sessions;
  readonly embed: Embed;
  readonly testHelpers: TestHelpers;
  readonly webhooks: Webhooks;
  readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: GateClientOptions) {
    if (!options?.apiKey) throw new TypeError('GateClient needs { apiKey }: your sk_test_… or sk_live_… key');
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.sessions = new Sessions(this);
    this.embed = new Embed(this);
    this.testHelpers = new TestHelpers(this);
    this.webhooks = new Webhooks();
  }

  /**
   * One API call with retries on 408/425/429/5xx and connection errors: exponential backoff with jitter,
   * honouring Retry-After (bounded), the same Idempotency-Key on every attempt.
   */
  async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const write = method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.apiKey}`,
      'user-agent': USER_AGENT,
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(write ? { 'idempotency-key': options.idempotencyKey ?? randomUUID() } : {}),
      ...options.headers,
    };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let failure: GateError;
      let retryAfterMs: number | null = null;
      try {
        const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {}
        if (response.ok) return parsed as T;
        const envelope = (parsed ?? {}) as { message?: string | string[]; error?: string };
        failure = errorForStatus({
          statusCode: response.status,
          message: envelope.message ?? response.statusText,
          error: envelope.error ?? response.statusText,
          requestId: response.headers.get('request-id'),
          raw: parsed,
        });
        if (!RETRYABLE.has(response.status)) throw failure;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof Error && error.name === 'TimeoutError')
          failure = new TimeoutError({
            statusCode: null,
            message: `No answer within ${this.timeoutMs} ms`,
            error: 'Timeout',
            requestId: null,
            raw: null,
          });
        else if (error instanceof TypeError)
          failure = new ConnectionError({
            statusCode: null,
            message: `Could not reach ${this.baseUrl}: ${error.message}`,
            error: 'Connection',
            requestId: null,
            raw: null,
          });
        else throw error;
      }
      if (attempt >= this.maxRetries) throw failure;
      await sleep(retryAfterMs ?? backoffMs(attempt));
    }
  }
}

/** 0.5 s, 1 s, 2 s … (capped at 8 s), each scaled by a random 50–100 % so clients do not retry in step. */
export function backoffMs(attempt: number): number {
  return Math.min(8000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
