import { Hono } from 'hono';
import type { CaughtMail, MailCatcher } from './mail-catcher.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The viewer's own page: its styles only, no script, and frames only from this origin (the message's HTML). */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'";
/**
 * A message's HTML is untrusted (it holds what shoppers typed): served alone, sandboxed (no script, no same-origin,
 * no forms), loading nothing from anywhere, which also shows that the message itself needs nothing remote.
 */
const MESSAGE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    '<style>body{font-family:system-ui,sans-serif;margin:24px;color:#202223}table{border-collapse:collapse;width:100%}' +
    'td,th{border-bottom:1px solid #e1e3e5;padding:6px 8px;text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f6f6f7;padding:12px}' +
    'iframe{width:100%;height:480px;border:1px solid #c9cccf}a{color:#005bd3}</style></head>' +
    `<body><main>${body}</main></body></html>`
  );
}

function listPage(messages: CaughtMail[]): string {
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${esc(m.receivedAt)}</td><td>${esc(m.envelope.to.join(', '))}</td><td>${esc(m.from)}</td>` +
        `<td><a href="/dev/mail/${esc(m.id)}">${esc(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('');
  return page(
    'Local mailbox',
    `<h1>Local mailbox</h1><p>${messages.length} message(s) caught by the local SMTP server; nothing leaves this machine. ` +
      `As JSON: <a href="/dev/mail.json">/dev/mail.json</a>.</p>` +
      `<table><caption class="visually-hidden">Messages, newest first</caption><thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">From</th><th scope="col">Subject</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function messagePage(m: CaughtMail): string {
  const headers = m.headers.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  return page(
    m.subject || 'Message',
    `<p><a href="/dev/mail">All messages</a></p><h1>${esc(m.subject || '(no subject)')}</h1>` +
      (m.html ? `<h2>HTML part</h2><iframe sandbox="" title="HTML part of the message" src="/dev/mail/${esc(m.id)}/html"></iframe>` : '<p>No HTML part.</p>') +
      `<h2>Text part</h2><pre>${esc(m.text)}</pre>` +
      `<h2>Headers</h2><table>${headers}</table>`,
  );
}

/** /dev/mail (list, one message with its rendered HTML, text part and headers) and /dev/mail.json, local mode only. */
export function mailRoutes(catcher: MailCatcher) {
  const app = new Hono();
  const html = (body: string, csp = PAGE_CSP) => ({
    body,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'cache-control': 'no-store' },
  });
  app.get('/dev/mail.json', (c) => c.json({ messages: catcher.messages }, 200, { 'cache-control': 'no-store' }));
  app.get('/dev/mail', (c) => {
    const r = html(listPage(catcher.messages));
    return c.body(r.body, 200, r.headers);
  });
  app.get('/dev/mail/:id', (c) => {
    const found = catcher.messages.find((m) => m.id === c.req.param('id'));
    if (!found) return c.text('No such message (the mailbox keeps the last 500).', 404);
    const r = html(messagePage(found));
    return c.body(r.body, 200, r.headers);
  });
  app.get('/dev/mail/:id/html', (c) => {
    const found = catcher.messages.find((m) => m.id === c.req.param('id'));
    if (!found?.html) return c.text('No HTML part.', 404);
    const r = html(found.html, MESSAGE_CSP);
    return c.body(r.body, 200, r.headers);
  });
  return app;
}
