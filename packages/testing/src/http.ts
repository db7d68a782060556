import http from 'node:http';
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
  body: any;
}

export interface RawRequest {
  headers?: Record<string, string | undefined>;
  /** An object is sent as JSON with Content-Type: application/json; a string is sent as is. */
  body?: unknown;
}

/** The headers and payload a RawRequest puts on the wire, the same for a socket and for app.inject. */
function encode(options: RawRequest): { headers: Record<string, string>; payload: string | undefined } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {}))
    if (v !== undefined) headers[k.toLowerCase()] = v;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (typeof options.body !== 'string' && !headers['content-type'])
      headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return { headers, payload };
}

function decode(status: number, headers: http.IncomingHttpHeaders, text: string): RawResponse {
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status, headers, text, body };
}

/**
 * A plain node:http client, so tests can send what fetch refuses to: any Host header, malformed JSON,
 * wrong content types, oversized bodies.
 */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  options: RawRequest = {},
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  const { headers, payload } = encode(options);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve(decode(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'))),
      );
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** What `injectInto` needs of a Fastify instance (no dependency on Fastify here). */
export interface Injectable {
  inject(options: {
    method: string;
    url: string;
    headers: Record<string, string>;
    payload?: string;
  }): PromiseLike<{ statusCode: number; headers: Record<string, unknown>; payload: string }>;
}

/**
 * The same request as `send` to `baseUrl`, handed to the app in memory (Fastify's `app.inject`): the whole request path
 * (hooks, parsing, validation, handlers, serialisation) without a socket. For tests about the API's answers;
 * tests about the socket itself (timeouts, connection handling, other processes) use `send` or fetch.
 */
export async function injectInto(
  app: Injectable,
  baseUrl: string,
  method: string,
  path: string,
  options: RawRequest = {},
): Promise<RawResponse> {
  const { headers, payload } = encode(options);
  // The Host a socket request to baseUrl carries (routes answer by host), unless the test sets its own.
  headers.host ??= new URL(baseUrl).host;
  const res = await app.inject({
    method,
    url: path,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
  return decode(res.statusCode, res.headers as http.IncomingHttpHeaders, res.payload);
}

/** A port free on 127.0.0.1 right now, for a server that must know its origin before it starts. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
