import { type ReactNode, useState } from 'react';
import type { Quote } from './api.ts';

/** One user action at a time: `busy` while it runs, its error message (if any) afterwards. */
export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

/** A labelled input: every field has a visible label, and errors are announced. */
export function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'numeric' | 'text';
  /** Shown but not editable (a wallet the partner locked). */
  readOnly?: boolean;
}) {
  return (
    <label className="field" htmlFor={props.id}>
      <span>{props.label}</span>
      <input
        id={props.id}
        name={props.id}
        value={props.value}
        readOnly={props.readOnly}
        aria-readonly={props.readOnly || undefined}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? 'off'}
        inputMode={props.inputMode}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </label>
  );
}

export function ErrorText({ message }: { message: string | null }) {
  return message ? (
    <p className="error" role="alert">
      {message}
    </p>
  ) : null;
}

export function Step({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="step" aria-labelledby="step-title">
      <h2 id="step-title" data-step={title}>
        {title}
      </h2>
      {children}
    </section>
  );
}

export function QuoteSummary({ quote }: { quote: Quote }) {
  const paying = quote.flow === 'on_ramp';
  return (
    <dl className="summary" data-testid="quote">
      {quote.source ? (
        <>
          <dt>You send</dt>
          <dd>
            {quote.source.amount} {quote.source.token} <small>on {quote.source.network}</small>
          </dd>
        </>
      ) : (
        <>
          <dt>{paying ? 'You pay' : 'You receive'}</dt>
          <dd>
            {quote.amount} {quote.currency}
          </dd>
        </>
      )}
      <dt>{paying || quote.source ? 'You receive' : 'You send'}</dt>
      <dd>
        {quote.crypto.amount} {quote.crypto.token} <small>on {quote.crypto.network}</small>
      </dd>
      <dt>Fees</dt>
      <dd>
        {quote.fees.processing} {quote.currency} processing
        {quote.fees.network !== '0' ? ` · ${quote.fees.network} ${quote.crypto.token} network` : ''}
      </dd>
    </dl>
  );
}

export function Done({
  txId,
  returnUrl,
  redirect,
}: {
  txId: string;
  returnUrl: string | null;
  redirect: boolean;
}) {
  return (
    <Step title="Done">
      <p className="success" role="status">
        Payment complete.
      </p>
      <p className="tx">
        Transaction <code data-testid="tx">{txId}</code>
      </p>
      {returnUrl ? (
        <a className="button" href={returnUrl} target={redirect ? '_self' : '_top'}>
          Back to the shop
        </a>
      ) : null}
    </Step>
  );
}
