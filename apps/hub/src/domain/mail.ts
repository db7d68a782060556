import { newObjectId } from '@0bit/core/ids';
import type { Db } from '@0bit/db/connection';
import nodemailer from 'nodemailer';
import { insertOutbox, listOutbox } from '../store/people.ts';

export interface Mail {
  partnerId: string | null;
  to: string;
  subject: string;
  text: string;
}

/**
 * The Hub's mail: over SMTP when SMTP_URL is set (and recorded in the outbox as sent), otherwise only written
 * to the outbox, which the console shows in development (docs/hub.md), so `npm start` needs no mail server.
 */
export class Mailer {
  readonly #transport: nodemailer.Transporter | null;

  constructor(readonly options: { smtpUrl: string | undefined; from: string }) {
    this.#transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  }

  /** Whether mail leaves this machine (false: the outbox is where it goes). */
  get smtp(): boolean {
    return this.#transport !== null;
  }

  async send(db: Db, mail: Mail): Promise<void> {
    if (this.#transport)
      await this.#transport.sendMail({
        from: this.options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
      });
    await insertOutbox(db, {
      id: newObjectId(),
      partner_id: mail.partnerId,
      recipient: mail.to,
      subject: mail.subject,
      body: mail.text,
      sent: this.#transport !== null,
    });
  }

  close(): void {
    this.#transport?.close();
  }
}

export const outbox = (db: Db, limit = 50) => listOutbox(db, limit);
