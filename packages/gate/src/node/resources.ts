import type { GateClient, RequestOptions } from './client.ts';
import type {
  CreatedGateSession,
  CreateSessionParams,
  EmbedBootstrap,
  GateIntent,
  GateSession,
  List,
  ListParams,
} from './types.ts';

const query = (params: object) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
};
const id = (value: string) => encodeURIComponent(value);

export class Sessions {
  constructor(private readonly client: GateClient) {}

  create(params: CreateSessionParams, options?: RequestOptions): Promise<CreatedGateSession> {
    return this.client.request('POST', '/v1/gate_sessions', params, options);
  }

  retrieve(sessionId: string): Promise<GateSession> {
    return this.client.request('GET', `/v1/gate_sessions/${id(sessionId)}`);
  }

  cancel(sessionId: string, options?: RequestOptions): Promise<GateSession> {
    return this.client.request('POST', `/v1/gate_sessions/${id(sessionId)}/cancel`, {}, options);
  }

  /** One page; also `for await (const s of gate.sessions.list())` walks every page. */
  list(params: ListParams = {}): Promise<List<GateSession>> & AsyncIterable<GateSession> {
    const first = this.client.request<List<GateSession>>('GET', `/v1/gate_sessions${query(params)}`);
    const client = this.client;
    return Object.assign(first, {
      async *[Symbol.asyncIterator]() {
        let page = await first;
        for (;;) {
          yield* page.data;
          const last = page.data.at(-1);
          if (!page.has_more || !last) return;
          page = await client.request<List<GateSession>>(
            'GET',
            `/v1/gate_sessions${query({ ...params, starting_after: last.id })}`,
          );
        }
      },
    });
  }
}

export class Embed {
  constructor(private readonly client: GateClient) {}

  /**
   * The browser's exchange, from a server or a test: publishable key + optional client secret → embed token.
   * `origin` must be one of your allowed domains (a browser sends it by itself).
   */
  bootstrap(params: {
    publishableKey: string;
    origin: string;
    clientSecret?: string;
  }): Promise<EmbedBootstrap> {
    return this.client.request(
      'POST',
      '/v1/embed/bootstrap',
      params.clientSecret ? { clientSecret: params.clientSecret } : {},
      { headers: { authorization: `Bearer ${params.publishableKey}`, origin: params.origin } },
    );
  }
}

class TestSessionHelpers {
  constructor(private readonly client: GateClient) {}

  /** Sandbox: completes an open session; fires gate_session.completed. */
  complete(sessionId: string, options?: RequestOptions): Promise<GateSession> {
    return this.client.request('POST', `/v1/test_helpers/sessions/${id(sessionId)}/complete`, {}, options);
  }

  /** Sandbox: records a failed intent; the session stays open; no webhook. */
  fail(sessionId: string, options?: RequestOptions): Promise<GateIntent> {
    return this.client.request('POST', `/v1/test_helpers/sessions/${id(sessionId)}/fail`, {}, options);
  }
}

export class TestHelpers {
  readonly sessions: TestSessionHelpers;
  constructor(client: GateClient) {
    this.sessions = new TestSessionHelpers(client);
  }
}
