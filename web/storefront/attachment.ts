/**
 * The file field (issue 14 §3), run by the UI once loaded: it checks type and size in the browser, asks the app for a
 * staged target through the app proxy, posts the file there, asks the app to check it, and puts the upload's reference
 * in the hidden `attachment` field. The server checks all of it again; this only spares the shopper a round trip.
 */
export interface AttachmentMessages {
  hint: string;
  uploading: string;
  uploaded: string;
  too_large: string;
  wrong_type: string;
  failed: string;
  rate_limited: string;
}

type Target = { upload: string; url: string; parameters: Array<{ name: string; value: string }> };

export function bindAttachment(form: HTMLFormElement, given: AttachmentMessages | undefined): () => Promise<void> {
  const box = form.querySelector<HTMLElement>('[data-cc-file]');
  const input = box?.querySelector<HTMLInputElement>('input[type="file"]');
  const hidden = box?.querySelector<HTMLInputElement>('input[name="attachment"]');
  const note = box?.querySelector<HTMLElement>('[data-cc-file-note]');
  if (!box || !input || !hidden || !note || !given) return () => Promise.resolve();
  const messages = given;
  const accepted = (box.dataset.accept ?? '').split(',');
  const maxBytes = Number(box.dataset.maxBytes ?? '0');
  const signedLimits = { limits: box.dataset.limits, limits_sig: box.dataset.limitsSig };
  const base = form.action.replace(/\/submit$/, '/uploads');
  note.textContent = messages.hint;
  let pending: Promise<void> = Promise.resolve();

  const say = (text: string, invalid: boolean) => {
    note.textContent = text;
    if (invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  const failure = (status: number) =>
    status === 413 ? messages.too_large : status === 415 ? messages.wrong_type : status === 429 ? messages.rate_limited : messages.failed;
  const json = { 'content-type': 'application/json', accept: 'application/json' };

  async function upload(file: File): Promise<void> {
    if (!accepted.includes(file.type)) return say(messages.wrong_type, true);
    if (maxBytes && file.size > maxBytes) return say(messages.too_large, true);
    say(messages.uploading, false);
    try {
      // The block's signed settings go along: the app holds the upload to them, and refuses it without them.
      const formId = form.querySelector<HTMLInputElement>('input[name="form_id"]')?.value;
      const stageBody = JSON.stringify({ filename: file.name, mime_type: file.type, size: file.size, form_id: formId, ...signedLimits });
      const staged = await fetch(base, { method: 'POST', headers: json, body: stageBody });
      if (!staged.ok) return say(failure(staged.status), true);
      const target = (await staged.json()) as Target;
      const body = new FormData();
      for (const p of target.parameters) body.append(p.name, p.value);
      body.append('file', file);
      const posted = await fetch(target.url, { method: 'POST', body });
      if (!posted.ok) return say(failure(posted.status === 400 ? 413 : posted.status), true);
      const checked = await fetch(`${base}/${target.upload}/complete`, { method: 'POST', headers: json, body: '{}' });
      if (!checked.ok) return say(failure(checked.status), true);
      hidden!.value = target.upload;
      say(messages.uploaded, false);
    } catch {
      say(messages.failed, true);
    }
  }

  input.addEventListener('change', () => {
    hidden.value = '';
    const file = input.files?.[0];
    pending = file ? upload(file) : Promise.resolve(say(messages.hint, false));
  });
  // A file chosen before the UI finished loading (the first pointerdown loads it) is taken up now.
  if (input.files?.length) input.dispatchEvent(new Event('change'));
  // The submit waits for an upload in progress, so the lead names the file the shopper chose.
  return () => pending;
}
