import type { SettingsReader } from '@0bit/core/settings';

/** The Partner Hub's settings (docs/hub.md); apps/server/src/config.ts hands it its reader. */
export interface HubSettings {
  enabled: boolean;
  port: number;
  /** Where partners open the Hub (invitation links); behind a proxy, its public https origin. */
  publicUrl: string;
  /** smtp(s)://user:pass@host:port; unset writes mail only to the outbox the console shows. */
  smtpUrl: string | undefined;
  mailFrom: string;
}

export function readHubSettings(settings: SettingsReader, production: boolean): HubSettings {
  const port = settings.int('HUB_PORT', 3100, 0, 65535);
  const given = settings.text('HUB_PUBLIC_URL');
  const publicUrl = given ?? `http://localhost:${port || 3100}`;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(publicUrl))
    settings.problem('HUB_PUBLIC_URL must be an origin such as https://hub.example.com');
  // Invitation links to a public host go over TLS in production; localhost (the default) is left alone.
  else if (production && given && !/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1)(:|\/|$)/.test(given))
    settings.problem('HUB_PUBLIC_URL must be https:// when NODE_ENV=production');
  const smtpUrl = settings.text('SMTP_URL');
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl))
    settings.problem('SMTP_URL must start with smtp:// or smtps://');
  return {
    enabled: settings.flag('HUB_ENABLED', true),
    port,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    smtpUrl,
    mailFrom: settings.text('MAIL_FROM') ?? 'Partner Hub <hub@localhost>',
  };
}
