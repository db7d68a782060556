import { useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorText, Field, Step, useAction } from '../ui.tsx';

/**
 * Identity verification, the same step on every flow (buy, sell, swap) unless the session is
 * kyc_pre_verified; the API refuses to pay (and a sell or swap gets no deposit address) without it.
 */
export function KycStep(props: { api: Api; onVerified: () => void }) {
  const [person, setPerson] = useState({ first_name: '', last_name: '', date_of_birth: '', country: '' });
  const { error, busy, run } = useAction();
  const submit = () =>
    run(async () => {
      const result = await props.api.kyc(person);
      if (result.status !== 'verified') throw new Error(result.reason ?? 'Identity could not be verified');
      props.onVerified();
    });
  return (
    <Step title="Verify your identity">
      <p className="hint">Sandbox: any name passes, except the last names “Reject” and “Review”.</p>
      <Field
        id="first_name"
        label="First name"
        value={person.first_name}
        onChange={(v) => setPerson({ ...person, first_name: v })}
        autoComplete="given-name"
      />
      <Field
        id="last_name"
        label="Last name"
        value={person.last_name}
        onChange={(v) => setPerson({ ...person, last_name: v })}
        autoComplete="family-name"
      />
      <Field
        id="date_of_birth"
        label="Date of birth (YYYY-MM-DD)"
        value={person.date_of_birth}
        onChange={(v) => setPerson({ ...person, date_of_birth: v })}
        placeholder="1990-01-31"
      />
      <Field
        id="country"
        label="Country (2 letters)"
        value={person.country}
        onChange={(v) => setPerson({ ...person, country: v.toUpperCase() })}
        placeholder="DE"
      />
      <button type="button" className="button" disabled={busy} onClick={submit}>
        Verify
      </button>
      <ErrorText message={error} />
    </Step>
  );
}
