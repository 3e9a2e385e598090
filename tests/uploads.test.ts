import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/databases.js';
import { SECRET, SHOP, type TestApp, jsonPost, startTestApp } from './helpers/runtime.js';
import { formKey, signTags } from '../web/server/core/form-key.js';
import { detectFileType, safeFilename } from '../web/server/core/file-type.js';
import { processNextComplianceRequest } from '../web/server/privacy/compliance.js';
import { UPLOAD_CHECK_TIMEOUT_MS } from '../web/server/leads/uploads.js';
import { signedWebhook } from './helpers/webhook.js';

/**
 * Issue 14 §3: attachments through the signed app proxy, staged in the shop's Files (the emulator's, against the real
 * schema), checked by their bytes, tied to one lead, written as a file_reference metafield after consent, and deleted
 * with the lead.
 */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(32)]);
const HTML = Buffer.from('<html><script>alert(1)</script></html>');

let shopper = 0;
const nextIp = () => `192.0.2.${(++shopper % 250) + 1}`;

async function until<T>(what: () => Promise<T | null | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(ENGINES)('attachments on %s', (engine) => {
  let t: TestApp | null;
  beforeAll(async () => {
    t = await startTestApp(engine, { RATE_LIMIT_PER_IP_PER_MINUTE: '1000', RATE_LIMIT_PER_SHOP_PER_MINUTE: '100000' });
    // The worker syncs leads and runs its duties, among them the deletion of doomed attachments.
    t?.runtime.jobs.start();
  });
  afterAll(async () => t?.close());

  const MB = 1024 * 1024;
  // As the block signs its attachment settings in Liquid: `upload:<form id>:<types>:<MB>` with the shop's form key.
  const signed = (formId: string, limits: string, shop = SHOP) => ({
    form_id: formId,
    limits,
    limits_sig: signTags(formKey(SECRET, shop), `upload:${formId}:${limits}`),
  });
  /** The contact form's block: images and PDF, the default 10 MB. */
  const CONTACT = signed('contact', 'images_pdf:10');
  const stageAs = (body: Record<string, unknown>, ip = nextIp(), shop = SHOP) =>
    t!.proxy('/uploads', { ...jsonPost(body), headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, shop });
  const stage = (body: Record<string, unknown>, ip = nextIp(), shop = SHOP) => stageAs({ ...CONTACT, ...body }, ip, shop);

  async function upload(bytes: Buffer, file: { filename: string; mime: string; size?: number }, ip = nextIp(), shop = SHOP) {
    const staged = await stage({ filename: file.filename, mime_type: file.mime, size: file.size ?? bytes.length }, ip, shop);
    expect(staged.status).toBe(201);
    const target = (await staged.json()) as { upload: string; url: string; parameters: Array<{ name: string; value: string }> };
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: file.mime }), file.filename);
    const posted = await fetch(target.url, { method: 'POST', body: form });
    return { ref: target.upload, posted, target };
  }
  const complete = (ref: string, shop = SHOP) => t!.proxy(`/uploads/${ref}/complete`, { method: 'POST', shop });
  const submit = (fields: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t!.proxy('/submit', jsonPost({ form_id: 'contact', email_marketing_consent: true, rendered_at: Date.now() - 10_000, ...fields }, headers));
  const files = () => [...(t!.emulator.shopData(SHOP)?.files.values() ?? [])];

  it('stages, checks, attaches: the customer gets a file_reference, the lead a file; deleting the lead deletes the file', async () => {
    const { ref, posted } = await upload(PNG, { filename: 'photo of the damage.png', mime: 'image/png' });
    expect(posted.status).toBe(204);
    const done = await complete(ref);
    expect(done.status).toBe(200);
    const file = files().find((f) => f.filename === 'photo of the damage.png');
    expect(file?.contentType).toBe('IMAGE');

    const sent = await submit({ email: 'attach@example.com', message: 'broken', attachment: ref });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    const customer = await until(async () => {
      const c = await t!.customerByEmail('attach@example.com');
      const nodes = (c?.metafields as { nodes: Array<{ key: string; type: string; value: string }> } | undefined)?.nodes ?? [];
      return nodes.find((m) => m.key === 'attachment') ? nodes : null;
    });
    expect(customer.find((m) => m.key === 'attachment')).toMatchObject({ type: 'file_reference', value: file!.id });

    const token = await t!.staffToken('owner');
    const detail = await t!.runtime.app.request(`/api/leads/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as { attachment?: { filename: string; type: string } }).attachment).toMatchObject({
      filename: 'photo of the damage.png',
      type: 'image/png',
    });

    const deleted = await t!.runtime.app.request(`/api/leads/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(deleted.status).toBeLessThan(300);
    await until(async () => !t!.emulator.shopData(SHOP)!.files.has(file!.id));
    // The row goes once Shopify confirmed the deletion.
    await until(async () => (await t!.runtime.storage.db.selectFrom('uploads').select('id').where('id', '=', ref).execute()).length === 0);
  });

  it('refuses a type outside images and PDF, an extension that does not match, and oversize, before staging', async () => {
    const before = t!.emulator.stats.operations.ContactCaptureStagedUploadsCreate ?? 0;
    expect((await stage({ filename: 'tool.exe', mime_type: 'application/x-msdownload', size: 10 })).status).toBe(415);
    const mismatch = await stage({ filename: 'invoice.exe', mime_type: 'application/pdf', size: 10 });
    expect(mismatch.status).toBe(415);
    expect(((await mismatch.json()) as { error: string }).error).toBe('extension_mismatch');
    const big = await stage({ filename: 'scan.pdf', mime_type: 'application/pdf', size: 20 * 1024 * 1024 + 1 });
    expect(big.status).toBe(413);
    expect((await stage({ filename: 'x.pdf', mime_type: 'application/pdf', size: -1 })).status).toBe(400);
    expect((await t!.proxy('/uploads', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    expect(t!.emulator.stats.operations.ContactCaptureStagedUploadsCreate ?? 0).toBe(before);
  });

  it("holds staging to the block's signed type and size settings, up to the app's ceiling", async () => {
    const pdf = (size: number, extra: Record<string, unknown>) => stageAs({ filename: 'scan.pdf', mime_type: 'application/pdf', size, ...extra });
    const pdfOnly2 = signed('wholesale', 'pdf:2');
    // The merchant's stricter setting: PDF only, 2 MB.
    const image = await stageAs({ filename: 'photo.png', mime_type: 'image/png', size: 100, ...pdfOnly2 });
    expect(image.status).toBe(415);
    expect(((await image.json()) as { error: string }).error).toBe('type_not_allowed');
    expect((await pdf(2 * MB + 1, pdfOnly2)).status).toBe(413);
    expect((await pdf(2 * MB, pdfOnly2)).status).toBe(201);
    // A merchant's larger setting, signed, is honoured (up to the app's ceiling).
    expect((await pdf(15 * MB, signed('catalogue', 'images_pdf:20'))).status).toBe(201);
  });

  it("refuses staging without the block's valid signature for the form (none, changed, another form's or shop's): nothing staged, written or counted", async () => {
    const pdf = (extra: Record<string, unknown>, ip?: string) => stageAs({ filename: 'scan.pdf', mime_type: 'application/pdf', size: 100, ...extra }, ip);
    const pdfOnly2 = signed('wholesale', 'pdf:2');
    const stagedBefore = t!.emulator.stats.operations.ContactCaptureStagedUploadsCreate ?? 0;
    const rowsBefore = (await t!.runtime.storage.db.selectFrom('uploads').select('id').execute()).length;
    const ip = nextIp();
    for (const unsigned of [
      // A shop whose forms have no file field: nothing to sign, so nothing may be staged.
      {},
      { form_id: 'contact' },
      { form_id: 'contact', limits: 'images_pdf:10' },
      { ...CONTACT, limits_sig: 'f'.repeat(64) },
      // The merchant's 2 MB limit stripped back, or raised, by the sender.
      { ...pdfOnly2, limits: 'images_pdf:10' },
      { ...pdfOnly2, limits: 'pdf:20' },
      // Another form's signature, or another shop's.
      { ...pdfOnly2, form_id: 'contact' },
      signed('contact', 'images_pdf:10', 'other-shop.myshopify.com'),
    ]) {
      const refused = await pdf(unsigned, ip);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: string }).error).toBe('attachments_not_enabled');
    }
    expect(t!.emulator.stats.operations.ContactCaptureStagedUploadsCreate ?? 0).toBe(stagedBefore);
    expect((await t!.runtime.storage.db.selectFrom('uploads').select('id').execute()).length).toBe(rowsBefore);
    // Refused before the rate counters, as the other refusals of a request's own contents: the address may still upload.
    expect((await pdf(CONTACT, ip)).status).toBe(201);
  });

  it('refuses bytes that are not what the name and declared type say, and makes no Shopify file of them', async () => {
    const count = files().length;
    for (const [bytes, filename, mime] of [
      [EXE, 'invoice.pdf', 'application/pdf'],
      [HTML, 'cat.png', 'image/png'],
      [PDF, 'cat.jpg', 'image/jpeg'],
    ] as const) {
      const { ref } = await upload(bytes, { filename, mime });
      const done = await complete(ref);
      expect(done.status).toBe(415);
      expect(((await done.json()) as { error: string }).error).toBe('type_mismatch');
      // Refused for good: completing again does not try again, and a submission cannot name it.
      expect((await complete(ref)).status).toBe(415);
      expect((await submit({ email: 'disguise@example.com', attachment: ref })).status).toBe(409);
    }
    expect(files().length).toBe(count);
  });

  it('one completion at a time checks an upload: a fresh hold answers 409 upload_in_progress, a timed-out one is taken over', async () => {
    const { ref, posted } = await upload(PDF, { filename: 'held.pdf', mime: 'application/pdf' });
    expect(posted.status).toBe(204);
    const db = t!.runtime.storage.db;
    const completeFrom = () => t!.proxy(`/uploads/${ref}/complete`, { method: 'POST', headers: { 'x-forwarded-for': nextIp() } });
    // Another completion holds the upload, as it would while it reads the bytes back and makes the file.
    await db.updateTable('uploads').set({ status: 'checking', updated_at: new Date().toISOString() }).where('id', '=', ref).execute();
    const held = await completeFrom();
    expect(held.status).toBe(409);
    expect(((await held.json()) as { error: string }).error).toBe('upload_in_progress');
    // That completion died: once its hold is older than the timeout, the next one checks the upload.
    const stale = new Date(Date.now() - UPLOAD_CHECK_TIMEOUT_MS - 1000).toISOString();
    await db.updateTable('uploads').set({ updated_at: stale }).where('id', '=', ref).execute();
    expect((await completeFrom()).status).toBe(200);
    const row = await db.selectFrom('uploads').select(['status', 'file_id']).where('id', '=', ref).executeTakeFirstOrThrow();
    expect(row.status).toBe('ready');
    expect(row.file_id).not.toBeNull();
  });

  it('the staged target refuses a body larger than declared', async () => {
    const { posted, ref } = await upload(Buffer.concat([PDF, Buffer.alloc(2048)]), { filename: 'small.pdf', mime: 'application/pdf', size: PDF.length });
    expect(posted.status).toBe(400);
    expect((await complete(ref)).status).toBe(409);
  });

  it('limits uploads per address (429 with Retry-After) before Shopify is asked', async () => {
    const ip = nextIp();
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push((await stage({ filename: `p${i}.pdf`, mime_type: 'application/pdf', size: 100 }, ip)).status);
    expect(answers.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(answers.slice(5)).toEqual([429, 429]);
    const again = await stage({ filename: 'p.pdf', mime_type: 'application/pdf', size: 100 }, ip);
    expect(again.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it("refuses a reference never issued, another shop's, one not yet checked, and one already used by another lead", async () => {
    const never = 'A'.repeat(43);
    expect((await submit({ email: 'forger@example.com', attachment: never })).status).toBe(422);
    expect((await complete(never)).status).toBe(404);
    expect((await submit({ email: 'forger@example.com', attachment: '../../etc/passwd' })).status).toBe(422);

    const other = 'other-shop.myshopify.com';
    t!.emulator.install(other, 'shpat_other');
    await t!.runtime.storage.db.deleteFrom('shops').where('shop', '=', other).execute();
    const { ref: mine } = await upload(PDF, { filename: 'mine.pdf', mime: 'application/pdf' });
    expect((await complete(mine)).status).toBe(200);
    // Signed for another shop, the same reference is unknown there.
    expect((await complete(mine, other)).status).toBe(404);
    const foreign = await t!.proxy('/submit', { ...jsonPost({ email: 'x@example.com', attachment: mine, rendered_at: Date.now() - 10_000 }), shop: other });
    expect(foreign.status).toBe(422);

    const { ref: unchecked } = await upload(PDF, { filename: 'later.pdf', mime: 'application/pdf' });
    expect((await submit({ email: 'hasty@example.com', attachment: unchecked })).status).toBe(409);

    const renderedAt = Date.now() - 10_000;
    const first = await submit({ email: 'first@example.com', attachment: mine, rendered_at: renderedAt }, { 'idempotency-key': 'attach-key-1' });
    expect(first.status).toBe(202);
    // The same request again is a replay (same lead); another body naming the same file is refused.
    const replay = await submit({ email: 'first@example.com', attachment: mine, rendered_at: renderedAt }, { 'idempotency-key': 'attach-key-1' });
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    const reuse = await submit({ email: 'second@example.com', attachment: mine });
    expect(reuse.status).toBe(409);
    expect(((await reuse.json()) as { error: string }).error).toBe('upload_already_used');
  });

  it('refuses an attachment staged for another form, or on a post naming no form, and writes no lead', async () => {
    const staged = await stageAs({ filename: 'order.pdf', mime_type: 'application/pdf', size: PDF.length, ...signed('wholesale', 'pdf:2') });
    expect(staged.status).toBe(201);
    const target = (await staged.json()) as { upload: string; url: string; parameters: Array<{ name: string; value: string }> };
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'order.pdf');
    expect((await fetch(target.url, { method: 'POST', body: form })).status).toBe(204);
    expect((await complete(target.upload)).status).toBe(200);

    const leadsOf = async (email: string) =>
      (await t!.runtime.storage.db.selectFrom('leads').select('id').where('email_hash', '=', t!.runtime.lookupHash(email)).execute()).length;
    for (const formId of ['contact', undefined]) {
      const email = `other-form-${formId ?? 'none'}@example.com`;
      const sent = await submit({ email, attachment: target.upload, form_id: formId });
      expect(sent.status).toBe(422);
      expect(((await sent.json()) as { error: string }).error).toBe('attachment_other_form');
      expect(await leadsOf(email)).toBe(0);
    }
    const claimed = await t!.runtime.storage.db.selectFrom('uploads').select('lead_id').where('id', '=', target.upload).executeTakeFirstOrThrow();
    expect(claimed.lead_id).toBeNull();
    const row = await t!.runtime.storage.db.selectFrom('uploads').select('form_id').where('id', '=', target.upload).executeTakeFirstOrThrow();
    expect(row.form_id).toBe('wholesale');
    // Its own form's lead takes it.
    expect((await submit({ email: 'wholesale@example.com', attachment: target.upload, form_id: 'wholesale' })).status).toBe(202);
  });

  it('two submissions racing for one upload: one lead gets it, the other is refused and written nowhere', async () => {
    const { ref } = await upload(PDF, { filename: 'race.pdf', mime: 'application/pdf' });
    expect((await complete(ref)).status).toBe(200);
    const answers = await Promise.all(['race-1@example.com', 'race-2@example.com', 'race-3@example.com'].map((email) => submit({ email, attachment: ref })));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409]);
    const owners = await t!.runtime.storage.db.selectFrom('uploads').select('lead_id').where('id', '=', ref).execute();
    expect(owners).toHaveLength(1);
    const hashes = [1, 2, 3].map((i) => t!.runtime.lookupHash(`race-${i}@example.com`));
    const leads = await t!.runtime.storage.db.selectFrom('leads').select('id').where('email_hash', 'in', hashes).execute();
    expect(leads).toEqual([{ id: owners[0]!.lead_id }]);
  });

  it('keeps a path out of the filename', async () => {
    const { ref } = await upload(PDF, { filename: '../../../etc/passwd.pdf', mime: 'application/pdf' });
    expect((await complete(ref)).status).toBe(200);
    const row = await t!.runtime.storage.db.selectFrom('uploads').select('filename').where('id', '=', ref).executeTakeFirstOrThrow();
    expect(row.filename).toBe('passwd.pdf');
    expect(files().some((f) => f.filename.includes('/'))).toBe(false);
  });

  it('an upload no submission claims is deleted from Files after the claim window', async () => {
    const { ref } = await upload(PDF, { filename: 'forgotten.pdf', mime: 'application/pdf' });
    expect((await complete(ref)).status).toBe(200);
    const row = await t!.runtime.storage.db.selectFrom('uploads').select('file_id').where('id', '=', ref).executeTakeFirstOrThrow();
    expect(t!.emulator.shopData(SHOP)!.files.has(row.file_id!)).toBe(true);
    await t!.runtime.storage.db
      .updateTable('uploads')
      .set({ created_at: new Date(Date.now() - 2 * 60 * 60 * 1000).toISOString() })
      .where('id', '=', ref)
      .execute();
    const { fileSweep } = await import('../web/server/jobs/file-sweep.js');
    const sweep = fileSweep({
      db: t!.runtime.storage.db,
      admin: async () => (query, variables) => fetchAdmin(t!, query, variables),
      log: t!.runtime.log,
    });
    await sweep();
    expect(t!.emulator.shopData(SHOP)!.files.has(row.file_id!)).toBe(false);
  });

  it('a data request lists the attachments; customers/redact deletes them from Files', async () => {
    const { ref } = await upload(PNG, { filename: 'receipt.png', mime: 'image/png' });
    expect((await complete(ref)).status).toBe(200);
    expect((await submit({ email: 'gdpr@example.com', attachment: ref })).status).toBe(202);
    const row = await t!.runtime.storage.db.selectFrom('uploads').select('file_id').where('id', '=', ref).executeTakeFirstOrThrow();
    const request = await t!.runtime.app.request(
      '/webhooks/customers/data_request',
      signedWebhook('customers/data_request', { shop_domain: SHOP, customer: { email: 'gdpr@example.com' }, data_request: { id: 1 } }),
    );
    expect(request.status).toBe(200);
    const pkg = await until(async () => {
      await processNextComplianceRequest(t!.runtime.storage.db, t!.runtime.storage.engine, t!.runtime.lookupHash);
      const r = await t!.runtime.storage.db
        .selectFrom('compliance_requests')
        .select('package')
        .where('topic', '=', 'customers/data_request')
        .executeTakeFirst();
      return r?.package;
    });
    expect(JSON.parse(pkg).attachments).toEqual([expect.objectContaining({ filename: 'receipt.png', type: 'image/png', shopify_file_id: row.file_id })]);

    const redact = await t!.runtime.app.request(
      '/webhooks/customers/redact',
      signedWebhook('customers/redact', { shop_domain: SHOP, customer: { email: 'gdpr@example.com' } }),
    );
    expect(redact.status).toBe(200);
    await until(async () => {
      await processNextComplianceRequest(t!.runtime.storage.db, t!.runtime.storage.engine, t!.runtime.lookupHash);
      return !t!.emulator.shopData(SHOP)!.files.has(row.file_id!);
    });
  });
});

async function fetchAdmin(t: TestApp, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${t.config.adminApiOrigin}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': 'shpat_test_token' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: never };
  return { ok: true as const, data: body.data, cost: null };
}

describe('file type and name checks', () => {
  it('tells the accepted types by their bytes, not their names', () => {
    expect(detectFileType(PNG)).toBe('image/png');
    expect(detectFileType(PDF)).toBe('application/pdf');
    expect(detectFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(detectFileType(Buffer.from('GIF89a......'))).toBe('image/gif');
    expect(detectFileType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(detectFileType(EXE)).toBeNull();
    expect(detectFileType(HTML)).toBeNull();
    expect(detectFileType(Buffer.alloc(0))).toBeNull();
  });
  it('keeps only a safe base name', () => {
    expect(safeFilename('../../etc/passwd.pdf')).toBe('passwd.pdf');
    expect(safeFilename('C:\\Users\\me\\scan.pdf')).toBe('scan.pdf');
    expect(safeFilename('..')).toBe('attachment');
    expect(safeFilename('a\u0000b<script>.png')).toBe('a_b_script_.png');
    expect(safeFilename('.htaccess')).toBe('htaccess');
    // Bidi overrides and zero-width characters would show staff another name than the file's: "invoice_fdp.exe".
    expect(safeFilename('invoice_\u202Eexe.pdf')).toBe('invoice_exe.pdf');
    expect(safeFilename('scan\u200B\u200D\u2066\uFEFF.pdf')).toBe('scan.pdf');
    expect(safeFilename('\u202E')).toBe('attachment');
  });
});
