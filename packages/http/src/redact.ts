/** Our credentials' prefixes (keys, webhook and client secrets, checkout secrets, generated admin tokens). */
const CREDENTIAL = /\b(sk|pk|whsec|gsec|cs|adm)_[A-Za-z0-9_-]+/g;

/**
 * Query parameter names that carry a credential whatever its value looks like (an ADMIN_TOKEN has no
 * prefix): token, access_token, key, api_key, apiKey, secret, client_secret, signature, sign, password, auth…
 */
const SECRET_NAME = /token|key|secret|sign|sig$|passw|pwd|auth|credential/i;

/** Masks anything shaped like one of our credentials, for logs: keeps the kind, drops the secret part. */
export function redactSecrets(text: string): string {
  return text.replace(CREDENTIAL, '$1_[redacted]');
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * A URL as it may be logged: every query value that is a credential by its name, by its shape, or by being
 * one of `known` (the configured admin token) is replaced by `[redacted]` (credentials of ours keep their
 * kind: `sk_[redacted]`). Known secrets are also masked anywhere else in the URL.
 */
export function redactUrl(url: string, known: readonly string[] = []): string {
  const secrets = known.filter((s) => s.length >= 8);
  const maskKnown = (text: string) =>
    secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  const at = url.indexOf('?');
  const path = maskKnown(redactSecrets(at === -1 ? url : url.slice(0, at)));
  if (at === -1) return path;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return maskKnown(redactSecrets(pair));
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const plain = decoded(value);
      const kind = /^(sk|pk|whsec|gsec|cs|adm)_/.exec(plain)?.[1];
      if (kind) return `${name}=${kind}_[redacted]`;
      if (SECRET_NAME.test(decoded(name)) && value !== '') return `${name}=[redacted]`;
      if (secrets.some((s) => plain.includes(s) || value.includes(s))) return `${name}=[redacted]`;
      return maskKnown(redactSecrets(pair));
    })
    .join('&');
  return `${path}?${query}`;
}
