import { useEffect, useState } from 'preact/hooks';
import type { OptInSetting, OptInSettings, OptInSettingsUpdate } from '../../schema/workspace-api.js';
import { ApiError, apiJson } from './api.js';
import type { Strings } from './i18n.js';
import { Announce, Card, Table } from './parts.js';

/**
 * The shop's double opt-in (owner only): for every form, and per form. The server enforces it whatever the block
 * posts, so this is where a merchant turns it on for good. Its strings live here, in the workspace's two languages,
 * so this card stays one file.
 */
const STRINGS = {
  en: {
    title: 'Double opt-in',
    intro:
      'Shoppers who tick the marketing box get an e-mail with a confirmation link; Shopify gets their consent, as confirmed opt-in, only once they click it. This setting applies whatever the block in the theme says.',
    allForms: 'All forms',
    oneForm: 'One form',
    require: 'Require double opt-in',
    days: 'Link valid for (days, 1–30)',
    keep: 'Create the customer before confirmation, without marketing consent',
    form: 'Form id',
    formHint: 'The form’s name in the block, as it appears in the leads’ Form column.',
    save: 'Save',
    saveForm: 'Save for this form',
    remove: 'Remove the setting of {form}',
    own: 'Forms with their own setting',
    none: 'No form has its own setting: every form follows “All forms”.',
    yes: 'Yes',
    no: 'No',
    saved: 'Double opt-in setting saved.',
    removed: 'The form follows “All forms” again.',
    invalidDays: 'Enter a number of days from 1 to 30.',
    invalidForm: 'Enter the form id: letters, digits, - or _.',
    failed: 'Not saved ({status}). {reason}',
    loading: 'Loading…',
  },
  fr: {
    title: 'Double opt-in',
    intro:
      'Les clients qui cochent la case marketing reçoivent un e-mail avec un lien de confirmation ; Shopify ne reçoit leur consentement, comme opt-in confirmé, qu’une fois le lien cliqué. Ce réglage s’applique quoi que dise le bloc du thème.',
    allForms: 'Tous les formulaires',
    oneForm: 'Un formulaire',
    require: 'Exiger le double opt-in',
    days: 'Validité du lien (jours, de 1 à 30)',
    keep: 'Créer le client avant la confirmation, sans consentement marketing',
    form: 'Identifiant du formulaire',
    formHint: 'Le nom du formulaire dans le bloc, tel qu’il apparaît dans la colonne Formulaire des prospects.',
    save: 'Enregistrer',
    saveForm: 'Enregistrer pour ce formulaire',
    remove: 'Supprimer le réglage de {form}',
    own: 'Formulaires avec leur propre réglage',
    none: 'Aucun formulaire n’a son propre réglage : tous suivent « Tous les formulaires ».',
    yes: 'Oui',
    no: 'Non',
    saved: 'Réglage du double opt-in enregistré.',
    removed: 'Le formulaire suit de nouveau « Tous les formulaires ».',
    invalidDays: 'Saisissez un nombre de jours de 1 à 30.',
    invalidForm: 'Saisissez l’identifiant du formulaire : lettres, chiffres, - ou _.',
    failed: 'Non enregistré ({status}). {reason}',
    loading: 'Chargement…',
  },
} as const;
type OptInStrings = { [K in keyof (typeof STRINGS)['en']]: string };

const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));

/** The three controls of a setting, with labels tied to their inputs; `id` keeps the two editors' ids apart. */
function SettingFields({
  id,
  s,
  value,
  onChange,
  daysError,
}: {
  id: string;
  s: OptInStrings;
  value: OptInSetting;
  onChange: (v: OptInSetting) => void;
  daysError: boolean;
}) {
  return (
    <>
      <label>
        <span>
          <input type="checkbox" checked={value.requireDoubleOptIn} onChange={(e) => onChange({ ...value, requireDoubleOptIn: e.currentTarget.checked })} />{' '}
          {s.require}
        </span>
      </label>
      <label for={`${id}-days`}>{s.days}</label>
      <input
        id={`${id}-days`}
        type="number"
        inputMode="numeric"
        min={1}
        max={30}
        value={value.linkDays}
        aria-invalid={daysError ? 'true' : undefined}
        aria-describedby={daysError ? `${id}-days-error` : undefined}
        onInput={(e) => onChange({ ...value, linkDays: Number(e.currentTarget.value) })}
      />
      {daysError ? <p id={`${id}-days-error`}>{s.invalidDays}</p> : null}
      <label>
        <span>
          <input type="checkbox" checked={value.keepContact} onChange={(e) => onChange({ ...value, keepContact: e.currentTarget.checked })} /> {s.keep}
        </span>
      </label>
    </>
  );
}

const validDays = (n: number) => Number.isInteger(n) && n >= 1 && n <= 30;

export function OptInSettingsCard({ t }: { t: Strings }) {
  const s: OptInStrings = t.lang === 'fr' ? STRINGS.fr : STRINGS.en;
  const [settings, setSettings] = useState<OptInSettings | null>(null);
  const [all, setAll] = useState<OptInSetting | null>(null);
  const [formId, setFormId] = useState('');
  const [one, setOne] = useState<OptInSetting>({ requireDoubleOptIn: true, linkDays: 7, keepContact: false });
  const [message, setMessage] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<{ all?: boolean; one?: boolean; form?: boolean }>({});

  const loaded = (r: OptInSettings) => {
    setSettings(r);
    setAll(r.all);
  };
  const failed = (e: unknown) =>
    setMessage(
      fill(s.failed, {
        status: e instanceof ApiError ? e.status : 0,
        reason: e instanceof ApiError && typeof e.body.message === 'string' ? e.body.message : '',
      }),
    );
  useEffect(() => {
    apiJson<OptInSettings>('/settings/opt-in').then(loaded, failed);
  }, []);
  const put = async (body: OptInSettingsUpdate, done: string) => {
    try {
      loaded(await apiJson<OptInSettings>('/settings/opt-in', { method: 'PUT', body: JSON.stringify(body) }));
      setMessage(done);
    } catch (e) {
      failed(e);
    }
  };

  const saveAll = async (e: Event) => {
    e.preventDefault();
    if (!all) return;
    setInvalid({ all: !validDays(all.linkDays) });
    if (!validDays(all.linkDays)) return;
    await put(all, s.saved);
  };
  const saveOne = async (e: Event) => {
    e.preventDefault();
    const form = formId.trim();
    const bad = { one: !validDays(one.linkDays), form: !/^[A-Za-z0-9_-]{1,64}$/.test(form) };
    setInvalid(bad);
    if (bad.one || bad.form) return;
    await put({ form, ...one }, s.saved);
  };

  return (
    <Card title={s.title}>
      <p>{s.intro}</p>
      {message ? <Announce>{message}</Announce> : null}
      {!settings || !all ? (
        <Announce>{s.loading}</Announce>
      ) : (
        <>
          <form onSubmit={saveAll} noValidate>
            <fieldset class="filters">
              <legend>{s.allForms}</legend>
              <SettingFields id="optin-all" s={s} value={all} onChange={setAll} daysError={Boolean(invalid.all)} />
              <button type="submit" class="button button--primary">
                {s.save}
              </button>
            </fieldset>
          </form>
          <h3>{s.own}</h3>
          {settings.forms.length ? (
            <Table
              rowHeaders
              headers={[s.form, s.require, s.days, s.keep, '']}
              keys={settings.forms.map((f) => f.form)}
              rows={settings.forms.map((f) => [
                <span class="mono">{f.form}</span>,
                f.requireDoubleOptIn ? s.yes : s.no,
                String(f.linkDays),
                f.keepContact ? s.yes : s.no,
                <button
                  type="button"
                  class="button"
                  aria-label={fill(s.remove, { form: f.form })}
                  onClick={() => put({ form: f.form, clear: true }, s.removed)}
                >
                  ✕
                </button>,
              ])}
            />
          ) : (
            <p>{s.none}</p>
          )}
          <form onSubmit={saveOne} noValidate>
            <fieldset class="filters">
              <legend>{s.oneForm}</legend>
              <label for="optin-form">{s.form}</label>
              <input
                id="optin-form"
                value={formId}
                maxLength={64}
                autoComplete="off"
                aria-invalid={invalid.form ? 'true' : undefined}
                aria-describedby={invalid.form ? 'optin-form-hint optin-form-error' : 'optin-form-hint'}
                onInput={(e) => setFormId(e.currentTarget.value)}
              />
              <p id="optin-form-hint" class="subdued">
                {s.formHint}
              </p>
              {invalid.form ? <p id="optin-form-error">{s.invalidForm}</p> : null}
              <SettingFields id="optin-one" s={s} value={one} onChange={setOne} daysError={Boolean(invalid.one)} />
              <button type="submit" class="button">
                {s.saveForm}
              </button>
            </fieldset>
          </form>
        </>
      )}
    </Card>
  );
}
