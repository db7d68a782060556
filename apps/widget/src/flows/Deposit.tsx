import { useEffect, useState } from 'react';
import { type Api, ApiError, type Intent, type Quote } from '../api.ts';
import type { Bootstrap } from '../embed.ts';
import { Done, ErrorText, Field, QuoteSummary, Step, useAction } from '../ui.tsx';
import { KycStep } from './Kyc.tsx';

/** How often the widget asks again while the deposit has not arrived (live). */
const DEPOSIT_POLL_MS = 15_000;

/**
 * Sell and swap: the user sends crypto to a deposit address shown here, then we pay out — to a bank account
 * (sell) or a wallet (swap) — once the provider has seen the deposit (the API answers 409 until then, and
 * the widget keeps asking). In the sandbox "I have sent it" simulates the deposit (`simulate_deposit`).
 */
export function Deposit(props: {
  api: Api;
  boot: Bootstrap;
  quote: Quote;
  selection: Record<string, string | undefined>;
  redirect: boolean;
  onPaid: (intent: Intent) => void;
  onFailed: (message: string) => void;
  /** An open intent of the session (a reload on the deposit screen resumes it). */
  resumed?: Intent | null;
}) {
  const { api, boot, quote } = props;
  const selling = quote.flow === 'off_ramp';
  const [destination, setDestination] = useState(selling ? '' : (boot.wallet_address ?? ''));
  const [intent, setIntent] = useState<Intent | null>(props.resumed ?? null);
  const [kycNeeded, setKycNeeded] = useState(quote.kyc_required && !props.resumed);
  const walletLocked = !selling && boot.lock_wallet_address && !!boot.wallet_address;
  const [waiting, setWaiting] = useState<string | null>(null);
  const { error, busy, run } = useAction();
  const sandbox = boot.mode === 'test';

  const confirm = async (current: Intent) => {
    try {
      const result = await api.confirm(current.id, sandbox ? { simulate_deposit: true } : {});
      setWaiting(null);
      setIntent(result);
      if (result.status === 'succeeded') props.onPaid(result);
      else {
        props.onFailed(`Payment failed (${result.failure_reason})`);
        throw new Error(`Payment failed (${result.failure_reason})`);
      }
    } catch (e) {
      // 409 "Deposit not received yet": not an error, the chain has not seen it; keep waiting.
      if (e instanceof ApiError && e.status === 409 && /deposit not received/i.test(e.message)) {
        setWaiting(e.message);
        return;
      }
      throw e;
    }
  };

  useEffect(() => {
    if (!waiting || !intent) return;
    const timer = setTimeout(() => void run(() => confirm(intent)), DEPOSIT_POLL_MS);
    return () => clearTimeout(timer);
  });

  if (kycNeeded) return <KycStep api={api} onVerified={() => setKycNeeded(false)} />;
  if (intent?.status === 'succeeded' && intent.tx_refid)
    return <Done txId={intent.tx_refid} returnUrl={boot.return_url} redirect={props.redirect} />;
  if (intent)
    return (
      <Step title="Send your crypto">
        <p>
          Send exactly{' '}
          <strong data-testid="deposit-amount">{intent.source?.amount ?? intent.crypto.amount}</strong>{' '}
          {intent.source?.token ?? intent.crypto.token} on {intent.source?.network ?? intent.crypto.network}{' '}
          to:
        </p>
        <p className="address">
          <code data-testid="deposit-address">{intent.deposit_address}</code>
        </p>
        {sandbox && (
          <p className="hint">
            Sandbox: nothing is really sent; the button below simulates the deposit arriving.
          </p>
        )}
        {waiting && (
          <p className="hint" role="status" data-testid="deposit-waiting">
            Waiting for your deposit to arrive; we check again every 15 seconds. ({waiting})
          </p>
        )}
        <button type="button" className="button" disabled={busy} onClick={() => run(() => confirm(intent))}>
          I have sent it
        </button>
        <ErrorText message={error} />
      </Step>
    );
  return (
    <Step title={selling ? 'Sell' : 'Swap'}>
      <QuoteSummary quote={quote} />
      {selling ? (
        <Field
          id="iban"
          label={`Your bank account (IBAN) for ${quote.amount} ${quote.currency}`}
          value={destination}
          onChange={setDestination}
          placeholder="DE89 3704 0044 0532 0130 00"
        />
      ) : (
        <Field
          id="wallet"
          label={`Your ${quote.crypto.token} address on ${quote.crypto.network}`}
          value={destination}
          onChange={setDestination}
          readOnly={walletLocked}
        />
      )}
      <button
        type="button"
        className="button"
        disabled={busy || !destination}
        onClick={() =>
          run(async () => {
            setIntent(
              await api.createIntent({
                ...props.selection,
                amount: quote.amount,
                currency: quote.currency,
                ...(selling ? { iban: destination } : { wallet_address: destination.trim() }),
              }),
            );
          })
        }
      >
        Continue
      </button>
      <ErrorText message={error} />
    </Step>
  );
}
