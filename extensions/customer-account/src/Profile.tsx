import { useEffect, useState } from 'preact/hooks';
import { checkField } from '../../../schema/rules.js';
import { type AccountApi, type UserError, accountApi, backend } from './api.js';
import { PROFILE, PROFILE_SET } from './operations.js';

/**
 * The profile block (customer-account.profile.block.render): the app's customer fields, read and written by the
 * customer through the Customer Account API (`metafieldsSet` on their own customer; the definitions grant
 * `customer_account = "read_write"` in shopify.app.toml). The merchant's own questions come from the app's backend,
 * which knows the keys the shop defined.
 */
export type ProfileField = { key: string; type: string; label?: string };

/** The app's declared fields the block edits (shopify.app.toml, access.customer_account = "read_write"). */
export const PROFILE_FIELDS: ProfileField[] = [
  { key: 'birthday', type: 'date' },
  { key: 'company', type: 'single_line_text_field' },
  { key: 'heard_about', type: 'single_line_text_field' },
  { key: 'delivery_notes', type: 'multi_line_text_field' },
];

const kindOf = (type: string) =>
  type === 'date' ? 'date' : type === 'multi_line_text_field' ? 'textarea' : type === 'number_integer' || type === 'number_decimal' ? 'number' : 'text';

export function Profile({ api, backendUrl }: { api: AccountApi; backendUrl: string }) {
  const t = (key: string, options?: Record<string, string | number>) => api.i18n.translate(key, options);
  const [fields, setFields] = useState<ProfileField[]>(PROFILE_FIELDS);
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ tone: 'success' | 'critical'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      let all = PROFILE_FIELDS;
      try {
        const response = await backend(api, backendUrl, '/fields');
        if (response.ok) all = [...PROFILE_FIELDS, ...((await response.json()) as { custom: ProfileField[] }).custom];
      } catch {
        // The merchant's own questions are left out; the app's fields still show.
      }
      setFields(all);
      const data = await accountApi<{ customer: { id: string; metafields: Array<{ key: string; value: string } | null> } }>(PROFILE, {
        identifiers: all.map((f) => ({ namespace: '$app', key: f.key })),
      });
      if (!data) {
        setStatus({ tone: 'critical', text: t('unavailable') });
        return;
      }
      setCustomerId(data.customer.id);
      setValues(Object.fromEntries(data.customer.metafields.flatMap((m) => (m ? [[m.key, m.value]] : []))));
    })();
  }, []);

  const save = async () => {
    if (!customerId) return;
    const found = Object.fromEntries(
      fields.map((f) => {
        const code = checkField({ kind: kindOf(f.type), required: false }, values[f.key] ?? '');
        return [f.key, code ? t(`errors.${code}`) : ''];
      }),
    );
    setErrors(found);
    if (Object.values(found).some(Boolean)) {
      setStatus({ tone: 'critical', text: t('fix_errors') });
      return;
    }
    // Shopify refuses an empty value: a field emptied is left as it was (metafieldsDelete is for the merchant).
    const metafields = fields
      .filter((f) => (values[f.key] ?? '').trim() !== '')
      .map((f) => ({ ownerId: customerId, namespace: '$app', key: f.key, type: f.type, value: values[f.key]!.trim() }));
    if (!metafields.length) return;
    setBusy(true);
    const data = await accountApi<{ metafieldsSet: { userErrors: Array<UserError & { elementIndex?: number | null }> } }>(PROFILE_SET, { metafields });
    setBusy(false);
    const userErrors = data?.metafieldsSet.userErrors ?? null;
    if (userErrors === null || userErrors.length) {
      if (userErrors)
        setErrors(Object.fromEntries(userErrors.filter((e) => typeof e.elementIndex === 'number').map((e) => [metafields[e.elementIndex!]!.key, e.message])));
      setStatus({ tone: 'critical', text: t('not_saved') });
      return;
    }
    setStatus({ tone: 'success', text: t('profile_saved') });
  };

  // The fields wait for the saved values: typed into earlier, a field would be overwritten when they arrive.
  if (!customerId)
    return (
      <s-section heading={t('profile_heading')}>
        {status ? (
          <s-banner tone={status.tone}>
            <s-text>{status.text}</s-text>
          </s-banner>
        ) : (
          <s-spinner accessibilityLabel={t('loading')} />
        )}
      </s-section>
    );

  return (
    <s-section heading={t('profile_heading')}>
      <s-stack gap="base">
        {fields.map((f) => {
          const label = f.label ?? t(`profile.${f.key}`);
          const common = { label, value: values[f.key] ?? '', error: errors[f.key] || undefined };
          const onChange = (event: Event) => setValues((v) => ({ ...v, [f.key]: String((event.currentTarget as HTMLInputElement).value ?? '') }));
          return f.type === 'date' ? (
            <s-date-field key={f.key} {...common} onInput={onChange} onChange={onChange} />
          ) : f.type === 'multi_line_text_field' ? (
            <s-text-area key={f.key} {...common} onInput={onChange} onChange={onChange} />
          ) : (
            <s-text-field key={f.key} {...common} onInput={onChange} onChange={onChange} />
          );
        })}
        <s-button variant="primary" disabled={busy} onClick={save}>
          {t('profile_save')}
        </s-button>
        {status ? (
          <s-banner tone={status.tone}>
            <s-text>{status.text}</s-text>
          </s-banner>
        ) : null}
      </s-stack>
    </s-section>
  );
}
