/**
 * The postMessage protocol between a partner page (GateRamp) and the hosted widget. Every message is an
 * object with a `type`; the page accepts messages only from the iframe's origin and window, the widget only
 * from the parent origin its embed token was issued for.
 */
import type { Flow } from '../node/types.ts';

export type { Flow };

/** Page → widget, in answer to WIDGET_LOADED: everything the widget needs, never in a URL. */
export interface InitConfig {
  type: 'INIT_CONFIG';
  token: string;
  apiBaseUrl: string;
  /** The flow the page asked for (a session's own lock wins). */
  flow: Flow | null;
  bootstrap: Record<string, unknown>;
}

export type WidgetMessage =
  | { type: 'WIDGET_LOADED' }
  | { type: 'WIDGET_READY' }
  | { type: 'RESIZE'; height: number }
  | { type: 'PAYMENT_SUCCESS'; txId: string; sessionId: string }
  | { type: 'PAYMENT_FAILED'; message: string }
  | { type: 'CLOSE' }
  /** The customer pressed Cancel: the session is cancelled server-side (gate_session.cancelled). */
  | { type: 'CANCELLED'; sessionId: string };
