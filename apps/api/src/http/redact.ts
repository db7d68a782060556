/** Masks anything shaped like one of our credentials, for logs: keeps the kind, drops the secret part. */
export function redactSecrets(text: string): string {
  return text.replace(/\b(sk|pk|whsec|gsec)_[A-Za-z0-9_]+/g, '$1_[redacted]');
}
