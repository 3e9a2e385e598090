import { MailCatcher } from '../dev/mail-catcher.js';
import { enqueueMail } from '../web/server/outbox/mail-queue.js';
import { SHOP, startTestApp } from '../tests/helpers/runtime.js';

/**
 * Mails per second through the outbox to the local SMTP server (dev/mail-catcher.ts, a real smtp-server listener),
 * over real SMTP, one connection per message as in production: N queued confirmation-sized mails drained by the mail
 * worker (4 at once), on SQLite. Prints the rate and checks that every mail arrived exactly once.
 */
const MAILS = Number(process.env.BENCH_MAILS ?? 300);

const catcher = new MailCatcher(MAILS + 10);
const t = await startTestApp('sqlite', { SMTP_URL: await catcher.start(0), RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000', SYNC_POLL_MS: '20' });
if (!t) throw new Error('could not start');
try {
  const response = await t.proxy('/submit', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', first_name: 'Bench', message: 'hello', rendered_at: Date.now() - 10_000 }),
  });
  const { id } = (await response.json()) as { id: string };
  const db = t.runtime.storage.db;
  await db.transaction().execute((trx) =>
    enqueueMail(
      trx,
      Array.from({ length: MAILS }, (_, i) => ({
        shop: SHOP,
        leadId: id,
        eventKey: `bench:${i}`,
        template: 'reply',
        locale: 'de',
        to: `shopper${i}@example.com`,
        params: { name: `Shopper ${i}`, body: 'Vielen Dank für Ihre Nachricht.\n\nWir melden uns bald.' },
      })),
    ),
  );
  const started = Date.now();
  t.runtime.jobs.start();
  for (;;) {
    const open = await db.selectFrom('outbox_jobs').select('id').where('kind', '=', 'send_mail').where('state', '!=', 'done').execute();
    if (!open.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (Date.now() - started) / 1000;
  const recipients = new Set(catcher.messages.map((m) => m.envelope.to[0]));
  console.log(`mail: ${MAILS} mails through the outbox to the local SMTP server in ${seconds.toFixed(2)} s = ${(MAILS / seconds).toFixed(0)} mails/s`);
  console.log(`mail: ${catcher.messages.length} received, ${recipients.size} distinct recipients (expected ${MAILS} and ${MAILS})`);
  if (catcher.messages.length !== MAILS || recipients.size !== MAILS) process.exitCode = 1;
} finally {
  await t.close();
  await catcher.stop();
}
