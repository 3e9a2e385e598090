import { useEffect, useState } from 'preact/hooks';
import type { AccountData } from '../../../schema/account-api.js';
import { type AccountApi, type UserError, accountApi, backend } from './api.js';
import { EMAIL_SUBSCRIBE, EMAIL_UNSUBSCRIBE, MARKETING, WHATSAPP_UPDATE } from './operations.js';

/**
 * "My data" (customer-account.page.render): what the app holds about the signed-in customer, from the app's backend
 * with the session token; a download, corrections, marketing preferences and deletion. Marketing consent is changed
 * in Shopify through the Customer Account API, then recorded in the app's ledger as the customer's own change.
 */
type Marketing = { email: string | null; phone: string | null; whatsapp: string | null };
type Status = { tone: 'success' | 'critical'; text: string } | null;

export const CORRECTABLE = ['first_name', 'last_name', 'phone', 'address1', 'address2', 'city', 'province', 'zip', 'country'] as const;

const valueOf = (event: Event) => String((event.currentTarget as HTMLInputElement).value ?? '');

export function MyData({ api, backendUrl }: { api: AccountApi; backendUrl: string }) {
  const t = (key: string, options?: Record<string, string | number>) => api.i18n.translate(key, options);
  const [held, setHeld] = useState<AccountData | null>(null);
  const [failed, setFailed] = useState(false);
  const [marketing, setMarketing] = useState<Marketing | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Record<string, Status>>({});
  const [link, setLink] = useState<{ format: string; href: string } | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const say = (section: string, tone: 'success' | 'critical', key: string) => setStatus((s) => ({ ...s, [section]: { tone, text: t(key) } }));

  const load = async () => {
    try {
      const response = await backend(api, backendUrl, '/data');
      if (!response.ok) throw new Error(String(response.status));
      const data = (await response.json()) as AccountData;
      setHeld(data);
      // The backend lists leads oldest first; corrections start from what the customer sent last.
      const latest = data.leads.reduce<AccountData['leads'][number] | undefined>(
        (newest, lead) => (newest && newest.created_at >= lead.created_at ? newest : lead),
        undefined,
      );
      if (latest)
        setValues(
          Object.fromEntries(CORRECTABLE.map((f) => [f, (f === 'first_name' || f === 'last_name' || f === 'phone' ? latest[f] : latest.address?.[f]) ?? ''])),
        );
    } catch {
      setFailed(true);
    }
  };
  const loadMarketing = async () => {
    const data = await accountApi<{
      customer: { emailAddress: { marketingState: string } | null; phoneNumber: { phoneNumber: string; whatsAppMarketingConsent: { state: string } } | null };
    }>(MARKETING);
    if (data)
      setMarketing({
        email: data.customer.emailAddress?.marketingState ?? null,
        phone: data.customer.phoneNumber?.phoneNumber ?? null,
        whatsapp: data.customer.phoneNumber?.whatsAppMarketingConsent.state ?? null,
      });
  };
  useEffect(() => {
    void load();
    void loadMarketing();
  }, []);

  const correct = async () => {
    setBusy(true);
    setErrors({});
    try {
      const response = await backend(api, backendUrl, '/corrections', Object.fromEntries(CORRECTABLE.map((f) => [f, (values[f] ?? '').trim()])));
      if (response.status === 422) {
        const body = (await response.json()) as { fields?: Record<string, string> };
        setErrors(Object.fromEntries(Object.entries(body.fields ?? {}).map(([f, code]) => [f, t(`errors.${code}`)])));
        say('correct', 'critical', 'fix_errors');
      } else if (response.ok) {
        const body = (await response.json()) as { queued: boolean };
        say('correct', 'success', body.queued ? 'corrected_shopify' : 'corrected');
        await load();
      } else say('correct', 'critical', 'not_saved');
    } catch {
      say('correct', 'critical', 'not_saved');
    } finally {
      setBusy(false);
    }
  };

  const download = async (format: 'json' | 'csv') => {
    try {
      const response = await backend(api, backendUrl, '/download', { format });
      if (!response.ok) throw new Error(String(response.status));
      const { path } = (await response.json()) as { path: string };
      setLink({ format, href: `${backendUrl}${path}` });
    } catch {
      say('download', 'critical', 'unavailable');
    }
  };

  const setChannel = async (channel: 'email' | 'whatsapp', subscribe: boolean) => {
    const state = subscribe ? 'SUBSCRIBED' : 'UNSUBSCRIBED';
    type Errors = { userErrors: UserError[] };
    let errorsOf: UserError[] | null;
    if (channel === 'email') {
      const data = await accountApi<Record<string, Errors>>(subscribe ? EMAIL_SUBSCRIBE : EMAIL_UNSUBSCRIBE);
      errorsOf = data ? (Object.values(data)[0]?.userErrors ?? []) : null;
    } else {
      const data = await accountApi<{ customerWhatsAppMarketingConsentUpdate: Errors }>(WHATSAPP_UPDATE, { input: { whatsAppMarketingConsent: { state } } });
      errorsOf = data ? data.customerWhatsAppMarketingConsentUpdate.userErrors : null;
    }
    if (errorsOf === null || errorsOf.length) {
      say('marketing', 'critical', 'marketing_failed');
      return;
    }
    // Shopify holds the consent; the app's ledger keeps the customer's own change with the words they read.
    await backend(api, backendUrl, '/consent', { channel, state, text: t(`marketing.${channel}`) }).catch(() => null);
    say('marketing', 'success', 'marketing_saved');
    await Promise.all([loadMarketing(), load()]);
  };

  const erase = async () => {
    if (!confirmed) {
      say('delete', 'critical', 'confirm_required');
      return;
    }
    setBusy(true);
    try {
      const response = await backend(api, backendUrl, '/delete', { confirm: true });
      if (!response.ok) throw new Error(String(response.status));
      say('delete', 'success', 'deleted');
      setConfirmed(false);
      await load();
    } catch {
      say('delete', 'critical', 'not_saved');
    } finally {
      setBusy(false);
    }
  };

  const banner = (section: string) => {
    const s = status[section];
    return s ? (
      <s-banner tone={s.tone}>
        <s-text>{s.text}</s-text>
      </s-banner>
    ) : null;
  };
  const date = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

  if (failed)
    return (
      <s-page heading={t('title')}>
        <s-banner tone="critical">
          <s-text>{t('unavailable')}</s-text>
        </s-banner>
      </s-page>
    );
  if (!held)
    return (
      <s-page heading={t('title')}>
        <s-spinner accessibilityLabel={t('loading')} />
      </s-page>
    );
  return (
    <s-page heading={t('title')}>
      <s-stack gap="large">
        <s-paragraph>{t('intro')}</s-paragraph>
        <s-section heading={t('held_heading')}>
          {held.leads.length ? (
            <s-stack gap="base">
              {held.leads.map((lead) => (
                <s-box key={lead.id} padding="base" border="base" borderRadius="base">
                  <s-stack gap="small-200">
                    <s-text type="strong">{t('received', { date: date(lead.created_at) })}</s-text>
                    <s-text>{[lead.first_name, lead.last_name].filter(Boolean).join(' ')}</s-text>
                    <s-text>{[lead.email, lead.phone, lead.company, lead.birthday].filter(Boolean).join(' · ')}</s-text>
                    {lead.address ? <s-text>{Object.values(lead.address).filter(Boolean).join(', ')}</s-text> : null}
                    {lead.message ? <s-paragraph>{lead.message}</s-paragraph> : null}
                    {lead.answers.length ? (
                      <s-unordered-list>
                        {lead.answers.map((a) => (
                          <s-list-item key={a.key}>{`${a.key}: ${a.value}`}</s-list-item>
                        ))}
                      </s-unordered-list>
                    ) : null}
                  </s-stack>
                </s-box>
              ))}
              <s-heading>{t('consent_heading')}</s-heading>
              <s-unordered-list>
                {held.consent_records.map((r, i) => (
                  <s-list-item key={`${r.lead_id}-${i}`}>
                    {`${date(r.recorded_at)} · ${t(`channel.${r.channel}`)} · ${t(r.granted ? 'consent_granted' : 'consent_withdrawn')}${r.text ? ` · “${r.text}”` : ''}`}
                  </s-list-item>
                ))}
              </s-unordered-list>
            </s-stack>
          ) : (
            <s-paragraph>{t('none')}</s-paragraph>
          )}
        </s-section>

        {held.leads.length ? (
          <s-section heading={t('download_heading')}>
            <s-stack gap="base">
              <s-button-group>
                <s-button slot="secondary-actions" onClick={() => download('json')}>
                  {t('download_json')}
                </s-button>
                <s-button slot="secondary-actions" onClick={() => download('csv')}>
                  {t('download_csv')}
                </s-button>
              </s-button-group>
              {link ? (
                <s-link href={link.href} target="_blank">
                  {t('download_ready', { format: link.format.toUpperCase() })}
                </s-link>
              ) : null}
              {banner('download')}
            </s-stack>
          </s-section>
        ) : null}

        {held.leads.length ? (
          <s-section heading={t('correct_heading')}>
            <s-stack gap="base">
              {CORRECTABLE.map((field) => (
                <s-text-field
                  key={field}
                  label={t(`fields.${field}`)}
                  value={values[field] ?? ''}
                  error={errors[field] || undefined}
                  // Every keystroke is kept (onInput): a click on Save may come before the field's change event is handled.
                  onInput={(event: Event) => setValues((v) => ({ ...v, [field]: valueOf(event) }))}
                  onChange={(event: Event) => setValues((v) => ({ ...v, [field]: valueOf(event) }))}
                />
              ))}
              <s-button variant="primary" disabled={busy} onClick={correct}>
                {t('save')}
              </s-button>
              {banner('correct')}
            </s-stack>
          </s-section>
        ) : null}

        {marketing ? (
          <s-section heading={t('marketing_heading')}>
            <s-stack gap="base">
              {marketing.email !== null ? (
                <s-checkbox
                  label={t('marketing.email')}
                  checked={marketing.email === 'SUBSCRIBED' || marketing.email === 'PENDING'}
                  onChange={(event: Event) => setChannel('email', (event.currentTarget as HTMLInputElement).checked)}
                />
              ) : null}
              {marketing.whatsapp !== null ? (
                <s-checkbox
                  label={t('marketing.whatsapp')}
                  checked={marketing.whatsapp === 'SUBSCRIBED' || marketing.whatsapp === 'PENDING'}
                  onChange={(event: Event) => setChannel('whatsapp', (event.currentTarget as HTMLInputElement).checked)}
                />
              ) : null}
              {banner('marketing')}
            </s-stack>
          </s-section>
        ) : null}

        {held.leads.length ? (
          <s-section heading={t('delete_heading')}>
            <s-stack gap="base">
              <s-paragraph>{t('delete_info')}</s-paragraph>
              <s-checkbox
                label={t('delete_confirm')}
                checked={confirmed}
                onChange={(event: Event) => setConfirmed((event.currentTarget as HTMLInputElement).checked)}
              />
              <s-button tone="critical" disabled={busy} onClick={erase}>
                {t('delete_button')}
              </s-button>
            </s-stack>
          </s-section>
        ) : null}
        {banner('delete')}
      </s-stack>
    </s-page>
  );
}
