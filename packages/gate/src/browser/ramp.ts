import { ENVIRONMENTS, type Environment } from './environments.ts';
import { BootstrapError, ConfigError, MountTimeoutError, SecretKeyInBrowserError } from './errors.ts';
import type { Flow, InitConfig, WidgetMessage } from './protocol.ts';

export interface GateRampOptions {
  publishableKey: string;
  /** The session's one-time client secret, from your server (recommended: binds the widget to the session). */
  clientSecret?: string;
  environment?: Environment;
  /** Bare origins; override the environment's (local development, a reviewed environment override). */
  apiBaseUrl?: string;
  iframeUrl?: string;
  /** Set by createGateOnRamp / createGateOffRamp / createGateSwap; a session's own flow lock wins. */
  flow?: Flow | null;
}

export interface MountCallbacks {
  /** UX only: fulfil orders on the verified gate_session.completed webhook, not on this. */
  onSuccess?(result: { txId: string; sessionId: string }): void;
  onError?(error: { message: string }): void;
  onClose?(): void;
  /**
   * The customer pressed Cancel in the widget and the session was cancelled server-side (the partner also
   * gets gate_session.cancelled). In redirect mode the widget goes to the signed cancel_url instead.
   */
  onCancel?(info: { sessionId: string }): void;
  /** The ramp cannot be used now (e.g. the partner's monthly session quota is exhausted). */
  onUnavailable?(info: { reason: string }): void;
}

export const MOUNT_TIMEOUT_MS = 15_000;

function originOf(url: string, option: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      `${option} must be an origin such as "https://gate-sandbox.0bit.app" (got "${url}")`,
    );
  }
  if (parsed.origin !== url.replace(/\/+$/, ''))
    throw new ConfigError(`${option} must be a bare origin without a path (got "${url}")`);
  return parsed.origin;
}

/**
 * Mounts the hosted 0Gate widget in an iframe: bootstraps with the publishable key (and client secret),
 * hands the embed token to the widget by postMessage, and relays the widget's events to your callbacks.
 */
export class GateRamp {
  readonly apiBaseUrl: string;
  readonly iframeOrigin: string;
  private readonly options: GateRampOptions;
  private iframe: HTMLIFrameElement | null = null;
  private listener: ((event: MessageEvent) => void) | null = null;
  /** Bumped by every mount and unmount: a mount whose bootstrap returns after an unmount does nothing. */
  private generation = 0;

  constructor(options: GateRampOptions) {
    const key = options?.publishableKey ?? '';
    if (/^sk_/.test(key))
      throw new SecretKeyInBrowserError(
        'A secret key (sk_…) must never reach a browser: create sessions on your server and pass only the publishable key (pk_…) and the session client_secret here',
      );
    if (!/^pk_(test|live)_/.test(key))
      throw new ConfigError('publishableKey must be your pk_test_… or pk_live_… key');
    const environment = options.environment ?? 'production';
    const hosts = ENVIRONMENTS[environment];
    if (!hosts)
      throw new ConfigError(`environment must be production, sandbox or development (got "${environment}")`);
    this.options = options;
    this.apiBaseUrl = originOf(options.apiBaseUrl ?? hosts.apiBaseUrl, 'apiBaseUrl');
    this.iframeOrigin = originOf(options.iframeUrl ?? hosts.iframeUrl, 'iframeUrl');
  }

  private async bootstrap(): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.apiBaseUrl}/v1/embed/bootstrap`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.publishableKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(this.options.clientSecret ? { clientSecret: this.options.clientSecret } : {}),
    }).catch((error: Error) => {
      // The API refuses cross-origin calls from pages it does not know, which looks like a network error here.
      throw new BootstrapError(
        `Could not reach ${this.apiBaseUrl} (${error.message}): either it is down, or this page's origin ${location.origin} is not in the partner's allowed_domains`,
        0,
      );
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
      throw new BootstrapError(`0Gate refused to start: ${message ?? response.statusText}`, response.status);
    }
    return body;
  }

  /** Resolves when the widget says WIDGET_READY (or after onUnavailable); rejects after 15 s. */
  async mount(target: string | HTMLElement, callbacks: MountCallbacks = {}): Promise<void> {
    const container = typeof target === 'string' ? document.querySelector<HTMLElement>(target) : target;
    if (!container) throw new ConfigError(`mount target ${String(target)} is not in the page`);
    this.unmount();
    const generation = this.generation;
    const boot = await this.bootstrap();
    if (generation !== this.generation) return; // unmounted meanwhile (e.g. React StrictMode's double effect)
    if (boot.available === false) {
      callbacks.onUnavailable?.({ reason: String(boot.unavailable_reason ?? 'unavailable') });
      return;
    }
    const iframe = document.createElement('iframe');
    iframe.src = `${this.iframeOrigin}/`;
    iframe.title = '0Gate — buy, sell or swap crypto';
    iframe.allow = 'payment; clipboard-write';
    iframe.style.cssText = 'border:0;width:100%;height:640px;display:block;color-scheme:normal';
    this.iframe = iframe;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.unmount();
        reject(
          new MountTimeoutError(
            `The 0Gate widget at ${this.iframeOrigin} did not answer within ${MOUNT_TIMEOUT_MS / 1000} s`,
          ),
        );
      }, MOUNT_TIMEOUT_MS);
      this.listener = (event: MessageEvent) => {
        // Only our iframe's window, from its origin: anything else on the page is ignored.
        if (event.origin !== this.iframeOrigin || event.source !== iframe.contentWindow) return;
        const message = event.data as WidgetMessage;
        switch (message?.type) {
          case 'WIDGET_LOADED': {
            const init: InitConfig = {
              type: 'INIT_CONFIG',
              token: String(boot.token),
              apiBaseUrl: this.apiBaseUrl,
              flow: this.options.flow ?? null,
              bootstrap: boot,
            };
            iframe.contentWindow?.postMessage(init, this.iframeOrigin);
            break;
          }
          case 'WIDGET_READY':
            clearTimeout(timer);
            resolve();
            break;
          case 'RESIZE':
            if (Number.isFinite(message.height) && message.height > 0)
              iframe.style.height = `${Math.min(Math.ceil(message.height), 4000)}px`;
            break;
          case 'PAYMENT_SUCCESS':
            callbacks.onSuccess?.({ txId: message.txId, sessionId: message.sessionId });
            break;
          case 'PAYMENT_FAILED':
            callbacks.onError?.({ message: message.message });
            break;
          case 'CLOSE':
            callbacks.onClose?.();
            break;
          case 'CANCELLED':
            callbacks.onCancel?.({ sessionId: message.sessionId });
            break;
        }
      };
      window.addEventListener('message', this.listener);
      container.appendChild(iframe);
    });
  }

  unmount(): void {
    this.generation++;
    if (this.listener) window.removeEventListener('message', this.listener);
    this.listener = null;
    this.iframe?.remove();
    this.iframe = null;
  }

  /**
   * Hosted-redirect mode: opens the widget as a page. The client secret travels in the URL fragment, which
   * browsers never send to a server (no secret in a query string).
   */
  redirectToCheckout(): void {
    if (!this.options.clientSecret)
      throw new ConfigError('redirectToCheckout needs the session clientSecret');
    const fragment = new URLSearchParams({
      publishableKey: this.options.publishableKey,
      clientSecret: this.options.clientSecret,
      apiBaseUrl: this.apiBaseUrl,
      ...(this.options.flow ? { flow: this.options.flow } : {}),
    });
    window.location.assign(`${this.iframeOrigin}/#${fragment}`);
  }
}

type FactoryOptions = Omit<GateRampOptions, 'flow'>;
export const createGateOnRamp = (options: FactoryOptions) => new GateRamp({ ...options, flow: 'on_ramp' });
export const createGateOffRamp = (options: FactoryOptions) => new GateRamp({ ...options, flow: 'off_ramp' });
export const createGateSwap = (options: FactoryOptions) => new GateRamp({ ...options, flow: 'swap' });
