import { useEffect, useState } from 'preact/hooks';
import type { FormMailSettings, MailSettings, MailSettingsOverview } from '../../schema/workspace-api.js';
import { ApiError, apiJson } from './api.js';
import { type Strings, format } from './i18n.js';
import { Announce, Card } from './parts.js';

const FORM_ID = /^[A-Za-z0-9_-]{0,64}$/;

/** The server's reason for a 400 (its `message`), or the generic error with the status. */
function problemText(t: Strings, error: unknown): string {
  if (error instanceof ApiError && error.status === 400 && typeof error.body.message === 'string')
    return format(t.mail.invalid, { reason: error.body.message });
  return format(t.error, { status: error instanceof ApiError ? error.status : 0 });
}

/**
 * The E-mail screen: the shop's sender (with what stops mail from going out) and, per form, who is told about new
 * leads (each lead, or an hourly or daily digest) and the shopper's automatic answer. Every role reads it; only the
 * owner changes it (the server says so with `canEdit`, and refuses others' writes anyway). One `<form>` per card, so
 * each is saved on its own and keyboard users submit it with Enter or its button.
 */
export function MailView({ t }: { t: Strings }) {
  const [data, setData] = useState<MailSettingsOverview | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    apiJson<MailSettingsOverview>('/mail-settings').then(setData, (e: unknown) => setMessage(problemText(t, e)));
  }, []);
  if (!data) return <Announce>{message ?? t.loading}</Announce>;
  const { canEdit } = data;
  return (
    <>
      <p>{t.mail.intro}</p>
      {canEdit ? null : <p class="banner">{t.mail.readOnly}</p>}
      {message ? <Announce>{message}</Announce> : null}
      <SenderCard t={t} sender={data.sender} canEdit={canEdit} onSaved={(sender) => setData({ ...data, sender })} onMessage={setMessage} />
      {data.forms.length === 0 ? <p>{t.mail.noForms}</p> : null}
      {data.forms.map((form) => (
        <FormMailCard
          key={form.form}
          t={t}
          settings={form}
          canEdit={canEdit}
          onSaved={(saved) => setData({ ...data, forms: data.forms.map((f) => (f.form === saved.form ? saved : f)) })}
          onMessage={setMessage}
        />
      ))}
      {canEdit ? (
        <AddForm
          t={t}
          known={data.forms.map((f) => f.form)}
          onAdd={(id) =>
            setData({ ...data, forms: [...data.forms, { form: id, notifyTo: [], mode: 'off', autoreply: { enabled: false, subject: null, text: null } }] })
          }
        />
      ) : null}
    </>
  );
}

function SenderCard({
  t,
  sender,
  canEdit,
  onSaved,
  onMessage,
}: {
  t: Strings;
  sender: MailSettings;
  canEdit: boolean;
  onSaved: (sender: MailSettings) => void;
  onMessage: (message: string) => void;
}) {
  const [from, setFrom] = useState(sender.from ?? '');
  const [fromName, setFromName] = useState(sender.fromName ?? '');
  const [replyTo, setReplyTo] = useState(sender.replyTo ?? '');
  const [locale, setLocale] = useState<'en' | 'fr'>(sender.locale ?? 'en');
  const [busy, setBusy] = useState(false);
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const saved = await apiJson<MailSettings>('/settings/mail', {
        method: 'PUT',
        body: JSON.stringify({ from: from.trim(), fromName: fromName.trim(), replyTo: replyTo.trim() || null, locale }),
      });
      onSaved(saved);
      onMessage(t.mail.senderSaved);
    } catch (error) {
      onMessage(problemText(t, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t.mail.sender}>
      {sender.problems.length ? (
        <ul class="banner" id="mail-problems">
          {sender.problems.map((p) => (
            <li>{t.mail.problems[p]}</li>
          ))}
        </ul>
      ) : (
        <p class="subdued">{t.mail.ready}</p>
      )}
      <form class="edit" onSubmit={save}>
        <fieldset class="plain" disabled={!canEdit}>
          <legend class="visually-hidden">{t.mail.sender}</legend>
          <div class="field">
            <label for="mail-from">{t.mail.from}</label>
            <input id="mail-from" type="email" autocomplete="email" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="mail-from-name">{t.mail.fromName}</label>
            <input id="mail-from-name" type="text" required maxLength={100} value={fromName} onInput={(e) => setFromName(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="mail-reply-to">{t.mail.replyTo}</label>
            <input id="mail-reply-to" type="email" aria-describedby="mail-reply-to-hint" value={replyTo} onInput={(e) => setReplyTo(e.currentTarget.value)} />
            <span class="subdued" id="mail-reply-to-hint">
              {t.mail.replyToHint}
            </span>
          </div>
          <div class="field">
            <label for="mail-locale">{t.mail.staffLanguage}</label>
            <select id="mail-locale" value={locale} onChange={(e) => setLocale(e.currentTarget.value === 'fr' ? 'fr' : 'en')}>
              <option value="en">{t.mail.languages.en}</option>
              <option value="fr">{t.mail.languages.fr}</option>
            </select>
          </div>
          {canEdit ? (
            <button type="submit" class="button button--primary" disabled={busy}>
              {t.mail.saveSender}
            </button>
          ) : null}
        </fieldset>
      </form>
    </Card>
  );
}

function FormMailCard({
  t,
  settings,
  canEdit,
  onSaved,
  onMessage,
}: {
  t: Strings;
  settings: FormMailSettings;
  canEdit: boolean;
  onSaved: (settings: FormMailSettings) => void;
  onMessage: (message: string) => void;
}) {
  const [recipients, setRecipients] = useState(settings.notifyTo.join('\n'));
  const [mode, setMode] = useState<FormMailSettings['mode']>(settings.mode);
  const [autoreply, setAutoreply] = useState(settings.autoreply.enabled);
  const [subject, setSubject] = useState(settings.autoreply.subject ?? '');
  const [text, setText] = useState(settings.autoreply.text ?? '');
  const [busy, setBusy] = useState(false);
  const name = settings.form || t.mail.defaultForm;
  // Ids of this card's controls: form ids are letters, digits, - and _, so they fit an HTML id as they are.
  const id = (part: string) => `mail-${settings.form || 'default'}-${part}`;
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const saved = await apiJson<FormMailSettings>(`/settings/forms/${encodeURIComponent(settings.form)}/mail`, {
        method: 'PUT',
        body: JSON.stringify({
          notifyTo: recipients
            .split(/[\n,;]+/)
            .map((r) => r.trim())
            .filter(Boolean),
          mode,
          autoreply: { enabled: autoreply, subject: subject.trim() || null, text: text.trim() || null },
        }),
      });
      setRecipients(saved.notifyTo.join('\n'));
      onSaved(saved);
      onMessage(format(t.mail.formSaved, { form: name }));
    } catch (error) {
      onMessage(problemText(t, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={format(t.mail.formTitle, { form: name })}>
      <form class="edit" onSubmit={save}>
        <fieldset class="plain" disabled={!canEdit}>
          <legend class="visually-hidden">{format(t.mail.formTitle, { form: name })}</legend>
          <div class="field">
            <label for={id('recipients')}>{t.mail.recipients}</label>
            <textarea
              id={id('recipients')}
              rows={3}
              aria-describedby={id('recipients-hint')}
              value={recipients}
              onInput={(e) => setRecipients(e.currentTarget.value)}
            />
            <span class="subdued" id={id('recipients-hint')}>
              {t.mail.recipientsHint}
            </span>
          </div>
          <fieldset class="choices" aria-describedby={id('mode-hint')}>
            <legend>{t.mail.mode}</legend>
            {(['off', 'each', 'hourly', 'daily'] as const).map((m) => (
              <label>
                <input type="radio" name={id('mode')} value={m} checked={mode === m} onChange={() => setMode(m)} /> {t.mail.modes[m]}
              </label>
            ))}
            <span class="subdued" id={id('mode-hint')}>
              {t.mail.modeHint}
            </span>
          </fieldset>
          <fieldset class="choices">
            <legend>{t.mail.autoreply}</legend>
            <label>
              <input type="checkbox" checked={autoreply} onChange={(e) => setAutoreply(e.currentTarget.checked)} /> {t.mail.autoreplyOn}
            </label>
            <div class="field">
              <label for={id('subject')}>{t.mail.autoreplySubject}</label>
              <input
                id={id('subject')}
                type="text"
                maxLength={200}
                aria-describedby={id('autoreply-hint')}
                value={subject}
                onInput={(e) => setSubject(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for={id('text')}>{t.mail.autoreplyText}</label>
              <textarea
                id={id('text')}
                rows={4}
                maxLength={5000}
                aria-describedby={id('autoreply-hint')}
                value={text}
                onInput={(e) => setText(e.currentTarget.value)}
              />
            </div>
            <span class="subdued" id={id('autoreply-hint')}>
              {t.mail.autoreplyHint}
            </span>
          </fieldset>
          {canEdit ? (
            <button type="submit" class="button button--primary" disabled={busy}>
              {format(t.mail.saveForm, { form: name })}
            </button>
          ) : null}
        </fieldset>
      </form>
    </Card>
  );
}

function AddForm({ t, known, onAdd }: { t: Strings; known: string[]; onAdd: (id: string) => void }) {
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState(false);
  const add = (event: Event) => {
    event.preventDefault();
    const id = value.trim();
    if (!id || !FORM_ID.test(id)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setValue('');
    if (!known.includes(id)) onAdd(id);
  };
  return (
    <Card title={t.mail.addForm}>
      <form class="edit" onSubmit={add}>
        <div class="field">
          <label for="mail-add-form">{t.mail.addFormId}</label>
          <input
            id="mail-add-form"
            type="text"
            maxLength={64}
            aria-invalid={invalid ? 'true' : undefined}
            aria-describedby={invalid ? 'mail-add-form-error mail-add-form-hint' : 'mail-add-form-hint'}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <span class="subdued" id="mail-add-form-hint">
            {t.mail.addFormHint}
          </span>
          {invalid ? (
            <p class="error-text" id="mail-add-form-error">
              {t.mail.badFormId}
            </p>
          ) : null}
        </div>
        <button type="submit" class="button">
          {t.mail.add}
        </button>
      </form>
    </Card>
  );
}
