import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

/** A message ready for the wire: addresses, the two parts, and the headers the app sets itself. */
export interface OutgoingMail {
  from: { name: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  language: string;
  /** Sent by the app on its own (a confirmation, a notification), not written by a person: marked so (RFC 3834). */
  automatic: boolean;
}

/**
 * How a send ended, as data (expected failures are not exceptions): temporary failures (4xx answers, a server down
 * or too slow) are retried with backoff; permanent ones (5xx: no such mailbox, refused) are shown on the lead.
 */
export type SendOutcome = { ok: true; response: string } | { ok: false; kind: 'temporary' | 'permanent'; reason: string };

export interface Mailer {
  send(mail: OutgoingMail): Promise<SendOutcome>;
  close(): void;
}

export interface MailerOptions {
  /** smtp://user:pass@host:port, smtps://... (TLS from the start); nodemailer's URL syntax. */
  smtpUrl: string;
  /** Per-step timeouts (connect, greeting, each answer); the whole send stays well under the worker's send budget. */
  timeoutMs?: number;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

const asSmtpError = (error: unknown): SmtpError => (typeof error === 'object' && error !== null ? error : {});

/**
 * Classifies nodemailer's errors. A 5xx answer is the server's final word on this message; a 4xx answer, or no answer
 * at all (refused connection, timeout, dropped socket), may go away. A refused login (535) is the merchant's
 * configuration, not the message: retried, so that no mail is lost while it is fixed.
 */
export function classify(error: unknown): Extract<SendOutcome, { ok: false }> {
  const e = asSmtpError(error);
  // The server's answer names the mailbox at most, never a message body; the reason is shown to staff on the lead.
  // Servers quote the recipient ("550 <a@b.example>: no such user"); the reason is stored in the clear and shown, so
  // the address is left out.
  const answer = e.response ? e.response.slice(0, 300).replace(/[^\s<>@]+@[^\s<>]+/g, '<address>') : (e.code ?? 'unknown error');
  if (e.code === 'EAUTH') return { ok: false, kind: 'temporary', reason: `SMTP login refused: ${answer}` };
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600)
    return { ok: false, kind: 'permanent', reason: `SMTP server refused the message${e.command ? ` at ${e.command}` : ''}: ${answer}` };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 500)
    return { ok: false, kind: 'temporary', reason: `SMTP server deferred the message: ${answer}` };
  return { ok: false, kind: 'temporary', reason: `SMTP server unreachable: ${e.code ?? 'connection failed'}` };
}

/** Sends over SMTP with nodemailer; one connection per message, so a slow or broken one holds up nothing else. */
export function createMailer(options: MailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 20_000;
  const settings: SMTPTransport.Options = {
    url: options.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Nothing of ours in the logs: nodemailer's would print addresses and bodies.
    logger: false,
    debug: false,
  };
  const transport = nodemailer.createTransport(settings);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: { name: mail.from.name, address: mail.from.address },
          to: mail.to,
          replyTo: mail.replyTo,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          messageId: mail.messageId,
          headers: { 'Content-Language': mail.language, ...(mail.automatic ? { 'Auto-Submitted': 'auto-generated' } : {}) },
        });
        return { ok: true, response: String(info.response ?? '') };
      } catch (error) {
        return classify(error);
      }
    },
    close: () => transport.close(),
  };
}
