/**
 * How the widget gets its embed token, without a secret ever in a URL the server sees:
 * - in an iframe: it says WIDGET_LOADED to its parent and accepts INIT_CONFIG only from the window above it,
 *   and only from the page origin the token was issued for (the token's `origin` claim);
 * - as a page (hosted redirect): it reads the publishable key and client secret from the URL fragment and
 *   bootstraps itself, from its own origin.
 */
import type { BootstrapResponse } from '@0bit/api/domain/shapes';
import type { Flow } from '@0bit/core/flow';

export type { Flow };

/** The bootstrap answer, typed by the API's own route schema (a type-only import: nothing reaches the bundle). */
export type Bootstrap = BootstrapResponse;

export interface Embedding {
  boot: Bootstrap;
  /** The flow the widget is locked to (the session's, else the page's factory), or null for tabs. */
  flowLock: Flow | null;
  /** Where to post events: the partner page's origin, or null on the hosted page. */
  parentOrigin: string | null;
}

function tokenOrigin(token: string): string | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.origin === 'string' ? payload.origin : null;
  } catch {
    return null;
  }
}

export const inIframe = (): boolean => window.parent !== window;

export function postToParent(parentOrigin: string | null, message: Record<string, unknown>): void {
  if (parentOrigin) window.parent.postMessage(message, parentOrigin);
}

export function waitForInitConfig(): Promise<Embedding> {
  return new Promise((resolve) => {
    const listener = (event: MessageEvent) => {
      const data = event.data as { type?: string; token?: string; flow?: Flow | null; bootstrap?: Bootstrap };
      if (event.source !== window.parent || data?.type !== 'INIT_CONFIG' || typeof data.token !== 'string')
        return;
      // Only the page this token was issued to may configure us; anything else is ignored, silently.
      if (event.origin !== tokenOrigin(data.token)) return;
      window.removeEventListener('message', listener);
      const boot = { ...(data.bootstrap as Bootstrap), token: data.token };
      resolve({ boot, flowLock: boot.flow ?? data.flow ?? null, parentOrigin: event.origin });
    };
    window.addEventListener('message', listener);
    // Nothing secret in here, and the parent's origin is not known yet.
    window.parent.postMessage({ type: 'WIDGET_LOADED' }, '*');
  });
}

/** Where a redirect-mode widget keeps its session-bound boot for a reload (this tab only, until it expires). */
const STORED_BOOT = 'gate-widget-boot';

function storedEmbedding(): Embedding | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORED_BOOT) ?? 'null') as Embedding | null;
    if (stored && Date.parse(String(stored.boot.expires_at)) > Date.now()) return stored;
  } catch {
    // unreadable: bootstrap again
  }
  return null;
}

export async function bootstrapFromFragment(apiBaseUrl: string): Promise<Embedding> {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const publishableKey = params.get('publishableKey');
  const clientSecret = params.get('clientSecret');
  // A reload: the fragment left the address bar, the session-bound token of this tab resumes the flow.
  const stored = !publishableKey && !clientSecret ? storedEmbedding() : null;
  if (stored) return stored;
  if (!publishableKey || !clientSecret)
    throw new Error(
      'Open this page from your checkout: it needs a publishable key and a session client secret.',
    );
  history.replaceState(null, '', window.location.pathname); // the secret leaves the address bar at once
  const response = await fetch(`${apiBaseUrl}/v1/embed/bootstrap`, {
    method: 'POST',
    headers: { authorization: `Bearer ${publishableKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientSecret }),
  });
  const boot = await response.json();
  if (!response.ok) throw new Error(Array.isArray(boot.message) ? boot.message.join('; ') : boot.message);
  const flow = params.get('flow') as Flow | null;
  const embedding = { boot, flowLock: boot.flow ?? flow ?? null, parentOrigin: null };
  try {
    sessionStorage.setItem(STORED_BOOT, JSON.stringify(embedding));
  } catch {
    // storage unavailable: a reload asks the checkout again
  }
  return embedding;
}
