import { afterEach, describe, expect, it } from 'vitest';
import { createMailer } from '../web/server/mail/transport.js';
import { MailCatcher } from './mail-catcher.js';
import { mailRoutes } from './mail-routes.js';

/** /dev/mail shows what the local SMTP server caught; a message's HTML runs nothing and loads nothing. */
describe('local mailbox', () => {
  const catcher = new MailCatcher();
  afterEach(() => catcher.stop());

  it('lists, shows (HTML sandboxed, text, headers) and gives JSON', async () => {
    const mailer = createMailer({ smtpUrl: await catcher.start(0), timeoutMs: 2000 });
    const sent = await mailer.send({
      from: { name: 'Shop', address: 'shop@example.com' },
      to: 'ana@example.com',
      subject: 'Hello <script>',
      html: '<p>Hi <script>alert(1)</script></p>',
      text: 'Hi there',
      messageId: '<m1@example.com>',
      language: 'en',
      automatic: true,
    });
    mailer.close();
    expect(sent.ok).toBe(true);
    const app = mailRoutes(catcher);
    const json = (await (await app.request('/dev/mail.json')).json()) as {
      messages: { id: string; subject: string; text: string; envelope: { to: string[] } }[];
    };
    expect(json.messages).toHaveLength(1);
    expect(json.messages[0]).toMatchObject({ subject: 'Hello <script>', envelope: { to: ['ana@example.com'] } });
    const list = await (await app.request('/dev/mail')).text();
    expect(list).toContain('Hello &lt;script&gt;');
    expect(list).not.toContain('<script>');
    const detail = await app.request(`/dev/mail/${json.messages[0]!.id}`);
    const page = await detail.text();
    expect(page).toContain('<iframe sandbox=""');
    expect(page).toContain('<pre>Hi there');
    expect(page).toMatch(/<th scope="row">message-id<\/th><td>&lt;m1@example.com&gt;<\/td>/);
    const html = await app.request(`/dev/mail/${json.messages[0]!.id}/html`);
    expect(html.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
    expect((await app.request('/dev/mail/999')).status).toBe(404);
  });
});
