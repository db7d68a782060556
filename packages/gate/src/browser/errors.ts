/** Base of every error the browser SDK throws or rejects with. */
export class GateJsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A secret key (sk_…) was given to browser code: it must stay on your server. */
export class SecretKeyInBrowserError extends GateJsError {}

/** The options cannot work (not a pk_test_/pk_live_ key, an environment or URL that is not an origin…). */
export class ConfigError extends GateJsError {}

/** POST /v1/embed/bootstrap refused (origin not in allowed_domains, wrong mode, expired session…). */
export class BootstrapError extends GateJsError {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/** The widget did not say WIDGET_READY in time (a wrong iframeUrl drops every message; see the docs). */
export class MountTimeoutError extends GateJsError {}
