import { request as httpRequest } from 'node:http';

export interface HubResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  location: string | undefined;
  setCookies: string[];
}

/**
 * A browser-like client for the Hub without a browser: keeps cookies, follows nothing (tests look at the
 * redirects), can send any Host or Origin header (node:http, not fetch, which forbids Host).
 */
export class HubClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async call(
    method: 'GET' | 'POST',
    path: string,
    options: { form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<HubResponse> {
    const url = new URL(path, this.baseUrl);
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const headers: Record<string, string> = {
      ...(this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      ...(body !== undefined
        ? {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(body)),
          }
        : {}),
      ...options.headers,
    };
    const response = await new Promise<HubResponse>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: url.port, path: url.pathname + url.search, method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = res.headers['set-cookie'] ?? [];
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
              location: res.headers.location,
              setCookies: raw,
            });
          });
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
    for (const line of response.setCookies) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.call('GET', path, { headers });
  }

  /** The CSRF token of the page at `path` (its first form). */
  async csrf(path: string): Promise<string> {
    const page = await this.get(path);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`no CSRF token on ${path} (${page.status})`);
    return token;
  }

  /** Submits a form the way the page would: with the page's CSRF token. */
  async submit(pagePath: string, action: string, fields: Record<string, string> = {}) {
    const token = await this.csrf(pagePath);
    return this.call('POST', action, { form: { _csrf: token, ...fields } });
  }

  async signIn(email: string, password: string) {
    return this.submit('/sign-in', '/sign-in', { email, password });
  }

  async accept(invitationUrl: string, password: string) {
    const path = new URL(invitationUrl).pathname;
    return this.submit(path, path, { password });
  }
}
