import { type CSSProperties, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, createApi, type Intent, type Quote } from './api.ts';
import {
  bootstrapFromFragment,
  type Embedding,
  type Flow,
  inIframe,
  postToParent,
  waitForInitConfig,
} from './embed.ts';
import { Deposit } from './flows/Deposit.tsx';
import { OnRamp } from './flows/OnRamp.tsx';
import { ErrorText, Step } from './ui.tsx';

const FLOW_LABELS: Record<Flow, string> = { on_ramp: 'Buy', off_ramp: 'Sell', swap: 'Swap' };
const SWAP_SOURCES = [
  { token: 'USDT', network: 'tron' },
  { token: 'BTC', network: 'bitcoin' },
  { token: 'ETH', network: 'ethereum' },
  { token: 'SOL', network: 'solana' },
];

/** The hosted widget: embedding handshake, tabs (unless a flow is locked), branding, one flow at a time. */
export function App({ apiBaseUrl }: { apiBaseUrl: string }) {
  const [embedding, setEmbedding] = useState<Embedding | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [tab, setTab] = useState<Flow>('on_ramp');
  const [source, setSource] = useState(SWAP_SOURCES[0]!);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  /** undefined: not asked yet; null: nothing open; an intent: resume it (a reload on the deposit screen). */
  const [resumed, setResumed] = useState<Intent | null | undefined>(undefined);
  const root = useRef<HTMLDivElement>(null);
  const redirect = !inIframe();

  useEffect(() => {
    (redirect ? bootstrapFromFragment(apiBaseUrl) : waitForInitConfig()).then(
      (e) => {
        setEmbedding(e);
        setTab(e.flowLock ?? 'on_ramp');
        postToParent(e.parentOrigin, { type: 'WIDGET_READY' });
      },
      (error: Error) => setFatal(error.message),
    );
  }, [apiBaseUrl, redirect]);

  // The page sizes the iframe to the content: no inner scrollbars at any width.
  useEffect(() => {
    if (!embedding?.parentOrigin || !root.current) return;
    // The content's own height (not the document's, which is at least the iframe's): shrinks as well as grows.
    const observer = new ResizeObserver(([entry]) =>
      postToParent(embedding.parentOrigin, {
        type: 'RESIZE',
        height: Math.ceil(entry!.borderBoxSize[0]!.blockSize),
      }),
    );
    observer.observe(root.current);
    return () => observer.disconnect();
  }, [embedding]);

  const api = useMemo(
    () => (embedding ? createApi(apiBaseUrl, embedding.boot.token) : null),
    [apiBaseUrl, embedding],
  );
  const selection = useMemo(
    () => ({
      flow: tab,
      ...(tab === 'swap' ? { from_token: source.token, from_network: source.network } : {}),
    }),
    [tab, source],
  );

  // A reload or remount continues the session's open intent (same deposit address): ask once.
  useEffect(() => {
    if (!api || !embedding) return;
    if (!embedding.boot.session_id) {
      setResumed(null);
      return;
    }
    api.current().then(
      (answer) => {
        const open = answer.intent;
        setResumed(open);
        if (open && open.flow !== 'on_ramp' && open.deposit_address) {
          setTab(open.flow);
          const from = SWAP_SOURCES.find(
            (s) => s.token === open.source?.token && s.network === open.source?.network,
          );
          if (from) setSource(from);
        }
      },
      () => setResumed(null),
    );
  }, [api, embedding]);

  useEffect(() => {
    if (!api) return;
    setQuote(null);
    api.quote(selection).then(setQuote, (error: Error) => {
      if (error instanceof ApiError && error.status === 503) setUnavailable(error.message);
      else setFatal(error.message);
    });
  }, [api, selection]);

  const brand = embedding?.boot.branding;
  const style = {
    '--brand': brand?.primary_color ?? '#4338ca',
    '--brand-2': brand?.secondary_color ?? '#eef2ff',
    '--accent': brand?.accent_color ?? '#0ea5e9',
  } as CSSProperties;

  const paid = (intent: Intent) => {
    postToParent(embedding!.parentOrigin, {
      type: 'PAYMENT_SUCCESS',
      txId: intent.tx_refid,
      sessionId: embedding!.boot.session_id,
    });
    if (redirect && embedding!.boot.return_url)
      setTimeout(() => window.location.assign(embedding!.boot.return_url!), 1500);
  };
  const failed = (message: string) =>
    postToParent(embedding!.parentOrigin, { type: 'PAYMENT_FAILED', message });
  // Cancel: the session is cancelled server-side; redirect mode goes to the signed cancel_url, embedded
  // mode tells the page (the browser SDK's onCancel).
  const cancel = async () => {
    if (!api || !embedding) return;
    try {
      const result = await api.cancel();
      setCancelled(true);
      postToParent(embedding.parentOrigin, { type: 'CANCELLED', sessionId: result.session_id });
      if (redirect && result.cancel_url) window.location.assign(result.cancel_url);
    } catch (error) {
      setFatal((error as Error).message);
    }
  };

  return (
    <div className="widget" style={style} ref={root}>
      <header>
        {brand?.logo_url ? <img src={brand.logo_url} alt="" className="logo" /> : null}
        <h1 data-testid="brand-name">{brand?.brand_name ?? '0Gate'}</h1>
        {embedding?.boot.mode === 'test' ? <span className="badge">Sandbox</span> : null}
        {embedding?.parentOrigin ? (
          <button
            type="button"
            className="close"
            aria-label="Close"
            onClick={() => postToParent(embedding.parentOrigin, { type: 'CLOSE' })}
          >
            ×
          </button>
        ) : null}
      </header>
      {fatal ? <ErrorText message={fatal} /> : null}
      {cancelled ? (
        <Step title="Cancelled">
          <p data-testid="cancelled">This payment was cancelled. No money was moved.</p>
        </Step>
      ) : null}
      {unavailable ? (
        <Step title="Unavailable">
          <p data-testid="unavailable">{unavailable}</p>
        </Step>
      ) : null}
      {!embedding && !fatal ? <p className="hint">Loading…</p> : null}
      {embedding && !embedding.flowLock && !unavailable ? (
        <div role="tablist" aria-label="What do you want to do?" className="tabs">
          {(Object.keys(FLOW_LABELS) as Flow[]).map((flow) => (
            <button
              key={flow}
              type="button"
              role="tab"
              aria-selected={tab === flow}
              onClick={() => setTab(flow)}
            >
              {FLOW_LABELS[flow]}
            </button>
          ))}
        </div>
      ) : null}
      {tab === 'swap' && embedding && !unavailable ? (
        <label className="field" htmlFor="swap_source">
          <span>Swap from</span>
          <select
            id="swap_source"
            value={`${source.token}:${source.network}`}
            onChange={(event) =>
              setSource(SWAP_SOURCES.find((s) => `${s.token}:${s.network}` === event.target.value)!)
            }
          >
            {SWAP_SOURCES.map((s) => (
              <option key={`${s.token}:${s.network}`} value={`${s.token}:${s.network}`}>
                {s.token} on {s.network}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {api && embedding && quote && !unavailable && !cancelled && resumed !== undefined ? (
        quote.flow === 'on_ramp' ? (
          <OnRamp
            key={tab}
            api={api}
            boot={embedding.boot}
            quote={quote}
            redirect={redirect}
            onPaid={paid}
            onFailed={failed}
          />
        ) : (
          <Deposit
            key={`${tab}:${source.token}`}
            resumed={resumed?.flow === quote.flow && resumed.deposit_address ? resumed : null}
            api={api}
            boot={embedding.boot}
            quote={quote}
            selection={selection}
            redirect={redirect}
            onPaid={paid}
            onFailed={failed}
          />
        )
      ) : null}
      {api && embedding?.boot.session_id && !unavailable && !cancelled ? (
        <button type="button" className="button secondary" onClick={() => void cancel()}>
          Cancel
        </button>
      ) : null}
    </div>
  );
}
