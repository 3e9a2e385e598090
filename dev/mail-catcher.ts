import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message as the catcher received it over SMTP, parsed. */
export interface CaughtMail {
  id: string;
  receivedAt: string;
  /** The SMTP envelope, which is what the server was asked to deliver (it may differ from the headers). */
  envelope: { from: string | null; to: string[] };
  from: string;
  to: string;
  subject: string;
  messageId: string | null;
  text: string;
  html: string | null;
  headers: [string, string][];
}

/** What the catcher answers next, for tests of a server that is slow, defers (4xx) or refuses (5xx). */
export type Fault = { kind: 'reply'; code: number; message: string } | { kind: 'delay'; ms: number };

/**
 * Local mode's mailbox: a real SMTP listener (smtp-server) on 127.0.0.1 that accepts every message and keeps the last
 * ones in memory, parsed (mailparser), for /dev/mail. The app sends to it through the same nodemailer transport and
 * SMTP protocol as in production; nothing leaves the machine.
 */
export class MailCatcher {
  readonly messages: CaughtMail[] = [];
  /** Consumed one per message, at the end of DATA; an empty queue accepts. */
  readonly faults: Fault[] = [];
  private server: SMTPServer | null = null;
  private port = 0;
  private seq = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly keep = 500) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0: any free one); listening again after stop() keeps the same port unless told otherwise. */
  async start(port = this.port): Promise<string> {
    const server = new SMTPServer({
      authOptional: true,
      // Local only: no certificate to offer, and nodemailer then sends in the clear to 127.0.0.1.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData: (stream, session, callback) => void this.receive(stream, session, callback),
    });
    server.on('error', () => {
      // A client dropping its connection is not the catcher's failure; the next message is caught as usual.
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The first caught message matching `predicate`, waiting for it up to `timeoutMs`. */
  async waitFor(predicate: (mail: CaughtMail) => boolean, timeoutMs = 10_000): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching mail within ${timeoutMs} ms (${this.messages.length} caught)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 250));
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const fault = this.faults.shift();
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'reply') {
      callback(Object.assign(new Error(fault.message), { responseCode: fault.code }));
      return;
    }
    try {
      const parsed = await simpleParser(Buffer.concat(chunks));
      const address = (a: typeof parsed.to): string => (Array.isArray(a) ? a.map((x) => x.text).join(', ') : (a?.text ?? ''));
      this.messages.unshift({
        id: String(++this.seq),
        receivedAt: new Date().toISOString(),
        envelope: {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
        },
        from: parsed.from?.text ?? '',
        to: address(parsed.to),
        subject: parsed.subject ?? '',
        messageId: parsed.messageId ?? null,
        text: parsed.text ?? '',
        html: typeof parsed.html === 'string' ? parsed.html : null,
        headers: parsed.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()]),
      });
      this.messages.splice(this.keep);
      callback();
    } catch (error) {
      callback(error instanceof Error ? error : new Error('unparseable message'));
    }
    for (const wake of [...this.waiters]) wake();
  }
}
