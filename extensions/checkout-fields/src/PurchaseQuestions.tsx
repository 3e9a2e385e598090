import { useMemo, useRef, useState } from 'preact/hooks';
import {
  CONSENT_ATTRIBUTE,
  CONSENT_GRANTED,
  CONSENT_TEXT_ATTRIBUTE,
  CUSTOM_KINDS_ATTRIBUTE,
  LOCALE_ATTRIBUTE,
  SOURCE_ATTRIBUTE,
} from '../../../schema/purchase-questions.js';
import { checkField } from '../../../schema/rules.js';
import type { FieldsApi } from './api.js';
import { useRequiredAnswers } from './required-answers-intercept.js';
import { type Question, customKinds, questionsFrom } from './settings.js';

/**
 * The purchase questions in checkout (Plus: written to the checkout as attributes as the buyer answers, so they
 * reach the order and the orders/create webhook) or on the thank-you page (every plan: posted to the app with the
 * checkout session token). Answers are checked with the same rules as on the cart page and the server.
 */
export type Mode = 'checkout' | 'thank-you';

interface Props {
  api: FieldsApi;
  mode: Mode;
  /** Where the app answers thank-you posts (the app URL, from shopify.app.toml via src/backend.json). */
  backendUrl: string;
}

type Status = { tone: 'success' | 'critical'; text: string } | null;

/** `optional`: the merchant made it required, but checkout cannot hold the buyer for it, so the label says optional. */
type Shown = Question & { optional?: boolean };

export function PurchaseQuestions({ api, mode, backendUrl }: Props) {
  const t = (key: string, options?: Record<string, string | number>) => api.i18n.translate(key, options);
  const settings = api.settings.value;
  const asked = useMemo(() => questionsFrom(settings), [settings]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [consent, setConsent] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const [sending, setSending] = useState(false);
  const consentText = String(settings.consent_text ?? '').trim() || t('consent');
  const labelOf = (q: Shown) => {
    const label = 'key' in q.label ? t(q.label.key) : q.label.text;
    return q.optional ? t('optional', { label }) : label;
  };
  const errorOf = (q: Question, value: string) => {
    const code = checkField({ kind: q.kind, required: q.required }, q.kind === 'checkbox' ? (value === 'true' ? 'on' : '') : value);
    return code ? t(`errors.${code}`) : '';
  };

  // Checkout: a buyer cannot continue without the answers the merchant made required, as long as checkout lets the
  // extension hold them (the intercept is deprecated); otherwise those answers are optional, and shown as such.
  // The interceptor runs later, between renders: it reads the answers of the latest one.
  const latest = useRef<{ values: Record<string, string>; questions: Shown[] }>({ values, questions: asked });
  const enforced = useRequiredAnswers(
    api,
    mode === 'checkout',
    () => {
      const missing = latest.current.questions.filter((q) => errorOf(q, latest.current.values[q.attribute] ?? ''));
      if (missing.length) setErrors(Object.fromEntries(missing.map((q) => [q.attribute, errorOf(q, latest.current.values[q.attribute] ?? '')])));
      return missing.length > 0;
    },
    () => t('blocked'),
  );
  // The thank-you page checks its own answers before posting, so only checkout relaxes them.
  const relaxed = mode === 'checkout' && !enforced;
  const questions = useMemo<Shown[]>(
    () => (relaxed ? asked.map((q) => (q.required ? { ...q, required: false, optional: true } : q)) : asked),
    [asked, relaxed],
  );
  latest.current = { values, questions };

  const write = async (key: string, value: string) => {
    if (mode !== 'checkout' || !api.applyAttributeChange) return;
    const result = await api.applyAttributeChange(value ? { type: 'updateAttribute', key, value } : { type: 'removeAttribute', key });
    if (result.type === 'error') setStatus({ tone: 'critical', text: t('not_saved') });
  };

  const answer = async (q: Question, value: string) => {
    setValues((v) => ({ ...v, [q.attribute]: value }));
    const error = errorOf(q, value);
    setErrors((e) => ({ ...e, [q.attribute]: error }));
    if (!error) await write(q.attribute, value);
  };

  const context = async () => {
    await write(SOURCE_ATTRIBUTE, 'checkout');
    await write(LOCALE_ATTRIBUTE, api.localization.language.value.isoCode);
    const kinds = customKinds(questions);
    if (kinds) await write(CUSTOM_KINDS_ATTRIBUTE, kinds);
  };

  const toggleConsent = async (checked: boolean) => {
    setConsent(checked);
    await write(CONSENT_ATTRIBUTE, checked ? CONSENT_GRANTED : '');
    await write(CONSENT_TEXT_ATTRIBUTE, checked ? consentText : '');
    if (checked) await context();
  };

  const submit = async () => {
    const found = Object.fromEntries(questions.map((q) => [q.attribute, errorOf(q, values[q.attribute] ?? '')]));
    setErrors(found);
    if (Object.values(found).some(Boolean)) {
      setStatus({ tone: 'critical', text: t('fix_errors') });
      return;
    }
    setSending(true);
    try {
      const attributes: Record<string, string> = { [SOURCE_ATTRIBUTE]: 'thank_you', [LOCALE_ATTRIBUTE]: api.localization.language.value.isoCode };
      for (const q of questions) if (values[q.attribute]) attributes[q.attribute] = values[q.attribute]!;
      if (consent) Object.assign(attributes, { [CONSENT_ATTRIBUTE]: CONSENT_GRANTED, [CONSENT_TEXT_ATTRIBUTE]: consentText });
      const kinds = customKinds(questions);
      if (kinds) attributes[CUSTOM_KINDS_ATTRIBUTE] = kinds;
      // The checkout token is what lets a guest's answers reach their customer record: only this checkout knows it,
      // and the app compares it with the order's before writing anything (the session token names no order).
      const checkoutToken = api.checkoutToken?.value;
      const response = await fetch(`${backendUrl}/checkout/answers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await api.sessionToken.get()}` },
        body: JSON.stringify({
          order_id: api.orderConfirmation?.value.order.id ?? '',
          ...(checkoutToken ? { checkout_token: checkoutToken } : {}),
          attributes,
        }),
      });
      setStatus(response.ok ? { tone: 'success', text: t('saved') } : { tone: 'critical', text: t('not_saved') });
    } catch {
      setStatus({ tone: 'critical', text: t('not_saved') });
    } finally {
      setSending(false);
    }
  };

  if (!questions.length) return null;
  const heading = String(settings.heading ?? '').trim() || t('heading');
  return (
    <s-stack gap="base">
      <s-heading>{heading}</s-heading>
      {questions.map((q) => {
        const common = { label: labelOf(q), required: q.required, error: errors[q.attribute] || undefined, value: values[q.attribute] ?? '' };
        const onChange = (event: Event) => answer(q, String((event.currentTarget as HTMLInputElement).value ?? ''));
        switch (q.kind) {
          case 'textarea':
            return <s-text-area key={q.attribute} {...common} onChange={onChange} />;
          case 'date':
            return <s-date-field key={q.attribute} {...common} onChange={onChange} />;
          case 'checkbox':
            return (
              <s-checkbox
                key={q.attribute}
                label={common.label}
                checked={values[q.attribute] === 'true'}
                error={common.error}
                onChange={(event: Event) => answer(q, String((event.currentTarget as HTMLInputElement).checked))}
              />
            );
          default:
            return <s-text-field key={q.attribute} {...common} onChange={onChange} />;
        }
      })}
      <s-checkbox
        label={consentText}
        checked={consent}
        onChange={(event: Event) => toggleConsent(Boolean((event.currentTarget as HTMLInputElement).checked))}
      />
      {settings.sms_consent === true && mode === 'checkout' ? <s-consent-checkbox policy="sms-marketing" label={t('sms_consent')} /> : null}
      {mode === 'thank-you' ? (
        <s-button variant="primary" loading={sending} onClick={submit}>
          {t('save')}
        </s-button>
      ) : null}
      {status ? <s-banner tone={status.tone}>{status.text}</s-banner> : null}
    </s-stack>
  );
}
