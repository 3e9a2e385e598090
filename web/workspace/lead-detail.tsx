import { useEffect, useState } from 'preact/hooks';
import { ADDRESS_PARTS, type AddressPart, CORRECTABLE_FIELDS, addressLine, contactField } from '../../schema/contact-fields.js';
import { ApiError, apiJson } from './api.js';
import {
  type Strings,
  answerLabel,
  answerValue,
  consentOrigin,
  fieldLabel,
  flowOutcomeText,
  format,
  languageName,
  plural,
  savedText,
  syncErrorText,
  warningText,
} from './i18n.js';
import { Announce, Badge, Card, FocusHeading, fullName, shown, when } from './parts.js';
import type { CorrectionResult, LeadDetail as Detail, Lead, Me, ProposedChanges } from './types.js';

interface Props {
  t: Strings;
  language: string;
  me: Me;
  id: string;
  onBack(message?: string): void;
}

type ContactField = (typeof CORRECTABLE_FIELDS)[number];
const isAddressPart = (f: string): f is AddressPart => (ADDRESS_PARTS as readonly string[]).includes(f);

/** The Shopify admin page of a customer, from its GID and the shop's handle. */
const customerUrl = (shop: string, gid: string) => `https://admin.shopify.com/store/${shop.replace('.myshopify.com', '')}/customers/${gid.split('/').pop()}`;

export function LeadDetailView({ t, language, me, id, onBack }: Props) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [note, setNote] = useState('');
  const [reply, setReply] = useState('');
  // One key per reply the manager means to send: a double click or a retried request sends it once.
  const [replyKey, setReplyKey] = useState(newReplyKey);
  const [replying, setReplying] = useState(false);
  const [replyError, setReplyError] = useState<string | null>(null);
  const canWork = me.permissions.includes('work');

  const load = () =>
    apiJson<Detail>(`/leads/${id}`).then(setDetail, (e: unknown) => setError(format(t.error, { status: e instanceof ApiError ? e.status : 0 })));
  useEffect(() => {
    void load();
  }, [id]);

  const act = async (path: string, body?: unknown) => {
    try {
      await apiJson(`/leads/${id}${path}`, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      await load();
    } catch (e) {
      setMessage(format(t.error, { status: e instanceof ApiError ? e.status : 0 }));
    }
  };

  const sendReply = async (e: Event) => {
    e.preventDefault();
    if (replying) return;
    if (!reply.trim()) {
      setReplyError(t.detail.replyEmpty);
      return;
    }
    setReplyError(null);
    setReplying(true);
    try {
      await apiJson(`/leads/${id}/replies`, { method: 'POST', body: JSON.stringify({ body: reply, key: replyKey }) });
      setReply('');
      setReplyKey(newReplyKey());
      setMessage(t.detail.replyQueued);
      await load();
    } catch (err) {
      setReplyError(format(t.error, { status: err instanceof ApiError ? err.status : 0 }));
    } finally {
      setReplying(false);
    }
  };

  if (error) return <Announce>{error}</Announce>;
  if (!detail) return <Announce>{t.loading}</Announce>;
  const { lead } = detail;
  const address = lead.address ? addressLine(lead.address) : '';

  return (
    <>
      <button type="button" class="button button--plain back" onClick={() => onBack()}>
        ← {t.back}
      </button>
      <FocusHeading>
        {fullName(lead)} <Badge status={lead.status} doubleOptIn={lead.double_opt_in} t={t} />
      </FocusHeading>
      {message ? <Announce>{message}</Announce> : null}
      {lead.masked ? <p class="banner">{t.masked}</p> : null}
      {lead.unreadable?.length ? <p class="banner">{t.unreadableBanner}</p> : null}
      <div class="detail-grid">
        <div>
          <Card title={t.detail.contact}>
            {editing ? (
              <EditContact
                t={t}
                lead={lead}
                onDone={async (text) => {
                  setEditing(false);
                  setMessage(text);
                  await load();
                }}
                onCancel={() => setEditing(false)}
              />
            ) : (
              <>
                <dl class="facts">
                  <Fact label={t.fields.email} value={shown(lead, 'email', lead.email, t.unreadable)} />
                  <Fact label={t.fields.phone} value={shown(lead, 'phone', lead.phone, t.unreadable)} />
                  <Fact label={t.fields.company} value={shown(lead, 'company', lead.company, t.unreadable)} />
                  <Fact label={t.fields.birthday} value={shown(lead, 'birthday', lead.birthday, t.unreadable)} />
                  <Fact label={t.fields.address} value={shown(lead, 'address', address, t.unreadable)} />
                  <Fact
                    label={t.fields.form}
                    value={`${t.sources[lead.source]}${lead.source === 'contact_form' && lead.form_id ? ` · ${lead.form_id}` : ''}`}
                  />
                  {lead.order_id ? <Fact label={t.order} value={`#${lead.order_id.split('/').pop()}`} /> : null}
                  <Fact label={t.fields.locale} value={languageName(t, lead.locale)} />
                  <Fact label={t.fields.tags} value={lead.tags.join(', ')} />
                  <Fact label={t.columns.received} value={when(lead.created_at, language)} />
                </dl>
                {canWork && lead.status !== 'quarantined' ? (
                  <button type="button" class="button" onClick={() => setEditing(true)}>
                    {t.detail.edit}
                  </button>
                ) : null}
              </>
            )}
          </Card>
          {detail.proposed ? (
            <Proposed
              t={t}
              proposed={detail.proposed}
              canWork={canWork}
              onAct={async (path, text) => {
                await act(path, {});
                setMessage(text);
              }}
            />
          ) : null}
          {lead.sync_warnings.length ? (
            <Card title={t.refused.title}>
              <p>{t.refused.intro}</p>
              <ul class="warnings">
                {lead.sync_warnings.map((w) => (
                  <li>
                    <strong>{fieldLabel(t, w.field)}</strong>
                    {t.colon}
                    {warningText(t, w)}
                  </li>
                ))}
              </ul>
            </Card>
          ) : null}
          <Card title={t.fields.message}>
            <p class="pre">{shown(lead, 'message', lead.message, t.unreadable) ?? '—'}</p>
          </Card>
          {detail.attachment ? <AttachmentCard t={t} attachment={detail.attachment} /> : null}
          <Card title={t.detail.answers}>
            {lead.unreadable?.includes('answers') ? (
              <p>{t.unreadable}</p>
            ) : lead.answers.length ? (
              <dl class="facts">
                {lead.answers.map((a) =>
                  a.held ? (
                    <>
                      <dt>{answerLabel(t, a.key)}</dt>
                      <dd>
                        {answerValue(t, a)}
                        <br />
                        <small class="held-note">{t.detail.held[a.held]}</small>
                      </dd>
                    </>
                  ) : (
                    <Fact label={answerLabel(t, a.key)} value={answerValue(t, a)} />
                  ),
                )}
              </dl>
            ) : (
              <p>{t.detail.noAnswers}</p>
            )}
          </Card>
          <Card title={t.detail.consentProof}>
            {detail.consent.map((c) => (
              <dl class="facts consent">
                <Fact label={t.consentChannel[c.channel] ?? c.channel} value={c.granted ? t.detail.granted : t.detail.refused} />
                <Fact label={t.detail.shown} value={c.text} />
                <Fact label={t.detail.version} value={c.text_sha256 ? c.text_sha256.slice(0, 12) : null} />
                <Fact label={t.detail.locale} value={languageName(t, c.locale)} />
                <Fact label={t.detail.page} value={c.page} />
                <Fact label={t.detail.when} value={when(c.recorded_at, language)} />
                <Fact label={t.detail.source} value={consentOrigin(t, c.source, c.opt_in_level)} />
              </dl>
            ))}
          </Card>
        </div>
        <div>
          <Card title={t.detail.history}>
            {detail.history.length === 0 ? <p>{t.detail.noHistory}</p> : null}
            <ol class="history">
              {detail.history.map((h) => (
                <li>
                  <strong>{t.detail.jobKinds[h.kind]}</strong> · {t.detail.jobStates[h.state]} ·{' '}
                  {plural(t, h.attempts, t.detail.attemptsOne, t.detail.attempts)}
                  <br />
                  <span class="subdued">{when(h.updated_at, language)}</span>
                  {h.last_error && h.state !== 'done' ? <p class="error-text">{syncErrorText(t, h.last_error)}</p> : null}
                </li>
              ))}
            </ol>
            {lead.sync_error && lead.status !== 'synced' ? <p class="error-text">{syncErrorText(t, lead.sync_error)}</p> : null}
            {lead.shopify_customer_id && !lead.masked ? (
              <a href={customerUrl(me.shop, lead.shopify_customer_id)} target="_top">
                {t.detail.shopifyCustomer}
              </a>
            ) : null}
          </Card>
          {detail.flow.length ? (
            <Card title={t.detail.flowTitle}>
              <ul class="history flow-triggers">
                {detail.flow.map((f) => (
                  <li>
                    <strong>{t.detail.flowTriggers[f.handle]}</strong>
                    <br />
                    <span class={f.sent_at ? undefined : 'subdued'}>{flowOutcomeText(t, f, (iso) => when(iso, language))}</span>
                  </li>
                ))}
              </ul>
            </Card>
          ) : null}
          {canWork ? (
            <Card title={t.detail.actions}>
              <div class="actions">
                {lead.status === 'failed' ? (
                  <button type="button" class="button button--primary" onClick={() => act('/retry')}>
                    {t.detail.retry}
                  </button>
                ) : null}
                {lead.status === 'quarantined' ? (
                  <button type="button" class="button button--primary" onClick={() => act('/release')}>
                    {t.detail.release}
                  </button>
                ) : null}
                <button type="button" class="button" onClick={() => act('/handled', { handled: !lead.handled_at })}>
                  {lead.handled_at ? t.detail.markOpen : t.detail.markHandled}
                </button>
                {me.permissions.includes('delete') ? (
                  <button
                    type="button"
                    class="button button--critical"
                    onClick={async () => {
                      if (!window.confirm(t.detail.confirmDelete)) return;
                      await apiJson(`/leads/${id}`, { method: 'DELETE' });
                      onBack(t.detail.deleted);
                    }}
                  >
                    {t.detail.delete}
                  </button>
                ) : null}
              </div>
              {lead.handled_at ? <p class="subdued">{format(t.detail.handledOn, { when: when(lead.handled_at, language) })}</p> : null}
            </Card>
          ) : null}
          {canWork ? (
            <Card title={t.detail.notes}>
              {detail.notes.length === 0 ? <p>{t.detail.noNotes}</p> : null}
              <ul class="notes">
                {detail.notes.map((n) => (
                  <li class={n.kind === 'reply' ? 'note--reply' : undefined}>
                    <strong>{n.kind === 'reply' ? t.detail.kindReply : t.detail.kindNote}</strong>
                    <p class="pre">{shown(n, 'body', n.body, t.unreadable)}</p>
                    <span class="subdued">{when(n.created_at, language)}</span>
                  </li>
                ))}
              </ul>
              <form
                onSubmit={async (e) => {
                  e.preventDefault();
                  if (!note.trim()) return;
                  await act('/notes', { body: note });
                  setNote('');
                }}
              >
                <label for="note">{t.detail.note}</label>
                <textarea id="note" rows={3} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
                <button type="submit" class="button">
                  {t.detail.addNote}
                </button>
              </form>
            </Card>
          ) : null}
          {canWork && !lead.masked ? (
            <Card title={t.detail.replyTitle}>
              <form class="reply" onSubmit={sendReply} noValidate>
                <label for="reply">{t.detail.replyLabel}</label>
                <p id="reply-hint" class="subdued">
                  {t.detail.replyHint}
                </p>
                <textarea
                  id="reply"
                  rows={6}
                  maxLength={10_000}
                  value={reply}
                  aria-describedby={replyError ? 'reply-hint reply-error' : 'reply-hint'}
                  aria-invalid={replyError ? 'true' : undefined}
                  onInput={(e) => setReply(e.currentTarget.value)}
                />
                {replyError ? (
                  <p id="reply-error" class="error-text" role="alert">
                    {replyError}
                  </p>
                ) : null}
                <button type="submit" class="button button--primary" disabled={replying} aria-busy={replying ? 'true' : undefined}>
                  {replying ? t.detail.replySending : t.detail.replySend}
                </button>
              </form>
            </Card>
          ) : null}
          <Card title={t.detail.mailTitle}>
            {detail.mail?.length ? (
              <ul class="history mail-log">
                {detail.mail.map((m) => (
                  <li>
                    <strong>{mailTemplateLabel(t, m.template)}</strong> · {t.detail.mailStates[m.status]} ·{' '}
                    {plural(t, m.attempts, t.detail.attemptsOne, t.detail.attempts)}
                    <br />
                    <span class="subdued">{m.sent_at ? format(t.detail.mailSentOn, { when: when(m.sent_at, language) }) : when(m.created_at, language)}</span>
                    {m.last_error && m.status !== 'sent' ? <p class="error-text">{m.last_error}</p> : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t.detail.noMail}</p>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}

const newReplyKey = (): string => `r-${crypto.randomUUID()}`;

const mailTemplateLabel = (t: Strings, template: string): string =>
  template in t.detail.mailTemplates ? t.detail.mailTemplates[template as keyof Strings['detail']['mailTemplates']] : template;

/** An address as stored on the lead (JSON), on one line. */
function storedAddressLine(json: string | null | undefined): string | null {
  if (!json) return null;
  try {
    return addressLine(JSON.parse(json) as Record<AddressPart, string | undefined>);
  } catch {
    return json;
  }
}

function Proposed({
  t,
  proposed,
  canWork,
  onAct,
}: {
  t: Strings;
  proposed: ProposedChanges;
  canWork: boolean;
  onAct(path: string, message: string): Promise<void>;
}) {
  const show = (field: string, value: string | null | undefined) =>
    value === undefined ? null : value === null ? t.proposed.empty : field === 'address' ? storedAddressLine(value) : value;
  const withValues = proposed.changes.some((c) => c.proposed !== undefined);
  return (
    <Card title={t.proposed.title}>
      <p>{t.proposed.intro}</p>
      <table class="proposed">
        <thead>
          <tr>
            <th scope="col">{t.proposed.field}</th>
            {withValues ? <th scope="col">{t.proposed.current}</th> : null}
            {withValues ? <th scope="col">{t.proposed.sent}</th> : null}
          </tr>
        </thead>
        <tbody>
          {proposed.changes.map((c) => (
            <tr>
              <th scope="row">{fieldLabel(t, c.field)}</th>
              {withValues ? <td>{show(c.field, c.current)}</td> : null}
              {withValues ? <td>{show(c.field, c.proposed)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {proposed.applying ? (
        <p class="subdued">{t.proposed.applying}</p>
      ) : canWork ? (
        <div class="actions">
          <button type="button" class="button button--primary" onClick={() => onAct('/proposed-changes/apply', t.proposed.applied)}>
            {t.proposed.apply}
          </button>
          <button type="button" class="button" onClick={() => onAct('/proposed-changes/dismiss', t.proposed.dismissed)}>
            {t.proposed.dismiss}
          </button>
        </div>
      ) : (
        <p class="subdued">{t.proposed.viewerNote}</p>
      )}
    </Card>
  );
}

function Fact({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value || '—'}</dd>
    </>
  );
}

function EditContact({ t, lead, onDone, onCancel }: { t: Strings; lead: Lead; onDone(message: string): void; onCancel(): void }) {
  const initial = Object.fromEntries(CORRECTABLE_FIELDS.map((f) => [f, isAddressPart(f) ? (lead.address?.[f] ?? '') : (lead[f] ?? '')])) as Record<
    ContactField,
    string
  >;
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<string | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const result = await apiJson<CorrectionResult>(`/leads/${lead.id}`, { method: 'PATCH', body: JSON.stringify(values) });
      onDone(!result.changed.length ? t.detail.nothingChanged : result.queued ? savedText(t, result.changed) : t.detail.savedLocal);
    } catch (error) {
      if (error instanceof ApiError && error.body.fields) {
        setErrors(error.body.fields as Record<string, string>);
        setSummary(t.detail.invalid);
      } else setSummary(format(t.error, { status: error instanceof ApiError ? error.status : 0 }));
    }
  };

  return (
    <form class="edit" onSubmit={save} noValidate>
      {summary ? <Announce>{summary}</Announce> : null}
      {CORRECTABLE_FIELDS.map((f) => {
        const error = errors[f];
        return (
          <div class="field">
            <label for={`edit-${f}`}>{t.fields[f]}</label>
            <input
              id={`edit-${f}`}
              name={f}
              value={values[f]}
              type={contactField(f)?.input ?? 'text'}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? `edit-${f}-error` : undefined}
              onInput={(e) => setValues({ ...values, [f]: e.currentTarget.value })}
            />
            {error ? (
              <p id={`edit-${f}-error`} class="error-text">
                {t.fieldErrors[error as keyof typeof t.fieldErrors] ?? error}
              </p>
            ) : null}
          </div>
        );
      })}
      <div class="actions">
        <button type="submit" class="button button--primary">
          {t.detail.save}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t.detail.cancel}
        </button>
      </div>
    </form>
  );
}

/**
 * The shopper's file: a preview when it is an image, and a link to it in the shop's Files. The preview's alternative
 * text names the file; the image itself is the shopper's, so nothing more can be said about it.
 */
function AttachmentCard({ t, attachment }: { t: Strings; attachment: NonNullable<Detail['attachment']> }) {
  const kb = Math.max(1, Math.round(attachment.size / 1024));
  return (
    <Card title={t.detail.attachment}>
      {attachment.url && attachment.type?.startsWith('image/') ? (
        <a href={attachment.url} target="_blank" rel="noopener noreferrer">
          <img class="attachment-preview" src={attachment.url} alt={format(t.detail.attachmentPreview, { name: attachment.filename })} loading="lazy" />
        </a>
      ) : null}
      <p>
        {attachment.url ? (
          <a href={attachment.url} target="_blank" rel="noopener noreferrer">
            {attachment.filename}
          </a>
        ) : (
          attachment.filename
        )}{' '}
        <small>
          ({attachment.type ?? '?'}, {format(t.detail.attachmentSize, { kb })})
        </small>
      </p>
      {attachment.url ? null : <p>{t.detail.attachmentPending}</p>}
    </Card>
  );
}
