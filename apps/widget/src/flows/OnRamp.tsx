import { useState } from 'react';
import type { Api, Intent, Quote } from '../api.ts';
import type { Bootstrap } from '../embed.ts';
import { Done, ErrorText, Field, QuoteSummary, Step, useAction } from '../ui.tsx';
import { KycStep } from './Kyc.tsx';

type Stage = 'quote' | 'wallet' | 'kyc' | 'card' | 'challenge' | 'done';

/** Buy: quote → wallet → KYC (unless pre-verified) → card (3-D Secure when asked) → done. */
export function OnRamp(props: {
  api: Api;
  boot: Bootstrap;
  quote: Quote;
  redirect: boolean;
  onPaid: (intent: Intent) => void;
  onFailed: (message: string) => void;
}) {
  const { api, boot, quote } = props;
  const [stage, setStage] = useState<Stage>('quote');
  const [wallet, setWallet] = useState(boot.wallet_address ?? '');
  const [intent, setIntent] = useState<Intent | null>(null);
  const [kycNeeded, setKycNeeded] = useState(quote.kyc_required);
  const [card, setCard] = useState({ number: '', expiry: '', cvc: '' });
  const [code, setCode] = useState('');
  const { error, busy, run } = useAction();

  const submitWallet = () =>
    run(async () => {
      const created = await api.createIntent({
        flow: 'on_ramp',
        amount: quote.amount,
        currency: quote.currency,
        wallet_address: wallet.trim(),
      });
      setIntent(created);
      setStage(kycNeeded ? 'kyc' : 'card');
    });

  const pay = (threeDsCode?: string) =>
    run(async () => {
      const [month, year] = card.expiry.split('/').map((part) => Number(part.trim()));
      // The request type requires both numbers: an expiry without "/" is the customer's to fix, not the API's.
      if (month === undefined || year === undefined) throw new Error('Enter the card expiry as MM/YY');
      let current = intent!;
      if (current.status === 'failed')
        current = await api.createIntent({
          flow: 'on_ramp',
          amount: quote.amount,
          currency: quote.currency,
          wallet_address: wallet.trim(),
        });
      const result = await api.confirm(current.id, {
        card: {
          number: card.number.replace(/\s/g, ''),
          exp_month: month,
          exp_year: year < 100 ? 2000 + year : year,
          cvc: card.cvc,
        },
        ...(threeDsCode ? { three_ds_code: threeDsCode } : {}),
      });
      setIntent(result);
      if (result.status === 'requires_action') setStage('challenge');
      else if (result.status === 'succeeded') {
        setStage('done');
        props.onPaid(result);
      } else {
        const message = `Payment declined (${result.failure_reason}). Try another card.`;
        setStage('card');
        props.onFailed(message);
        throw new Error(message);
      }
    });

  if (stage === 'done' && intent?.tx_refid)
    return <Done txId={intent.tx_refid} returnUrl={boot.return_url} redirect={props.redirect} />;
  return (
    <>
      {stage === 'quote' ? (
        <Step title="Review">
          <QuoteSummary quote={quote} />
          <button type="button" className="button" onClick={() => setStage('wallet')}>
            Continue
          </button>
        </Step>
      ) : null}
      {stage === 'wallet' ? (
        <Step title="Wallet">
          <Field
            id="wallet"
            label={`Your ${quote.crypto.token} address on ${quote.crypto.network}`}
            value={wallet}
            onChange={setWallet}
            readOnly={boot.lock_wallet_address && !!boot.wallet_address}
          />
          <button type="button" className="button" disabled={busy || !wallet} onClick={submitWallet}>
            Continue
          </button>
        </Step>
      ) : null}
      {stage === 'kyc' ? (
        <KycStep
          api={api}
          onVerified={() => {
            setKycNeeded(false);
            setStage('card');
          }}
        />
      ) : null}
      {stage === 'card' ? (
        <Step title="Pay by card">
          <QuoteSummary quote={quote} />
          <p className="hint">
            Sandbox cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0000 0000 3220
            asks for 3-D Secure (code 123456).
          </p>
          <Field
            id="card_number"
            label="Card number"
            value={card.number}
            onChange={(v) => setCard({ ...card, number: v })}
            inputMode="numeric"
            autoComplete="cc-number"
          />
          <div className="row">
            <Field
              id="card_expiry"
              label="Expiry (MM/YY)"
              value={card.expiry}
              onChange={(v) => setCard({ ...card, expiry: v })}
              placeholder="12/30"
              autoComplete="cc-exp"
            />
            <Field
              id="card_cvc"
              label="CVC"
              value={card.cvc}
              onChange={(v) => setCard({ ...card, cvc: v })}
              inputMode="numeric"
              autoComplete="cc-csc"
            />
          </div>
          <button type="button" className="button" disabled={busy} onClick={() => pay()}>
            Pay {quote.amount} {quote.currency}
          </button>
        </Step>
      ) : null}
      {stage === 'challenge' ? (
        <Step title="3-D Secure">
          <p>Your bank asks you to confirm this payment. Sandbox code: 123456.</p>
          <Field
            id="three_ds_code"
            label="Confirmation code"
            value={code}
            onChange={setCode}
            inputMode="numeric"
          />
          <button type="button" className="button" disabled={busy || !code} onClick={() => pay(code)}>
            Confirm
          </button>
        </Step>
      ) : null}
      <ErrorText message={error} />
    </>
  );
}
