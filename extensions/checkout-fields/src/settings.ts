import { CUSTOM_FIELD_KINDS, type CustomFieldKind, METAFIELDS, METAFIELD_KEY } from '../../../schema/fields.js';
import {
  CHECKOUT_CUSTOM_SLOTS,
  PURCHASE_QUESTIONS,
  askSetting,
  attributeFor,
  customAttributeFor,
  formatCustomKinds,
} from '../../../schema/purchase-questions.js';
import type { SettingValue } from './api.js';

/** A question as the extension shows it: from the shared catalogue or one of the merchant's own. */
export interface Question {
  /** The cart attribute that carries the answer (schema/purchase-questions.ts). */
  attribute: string;
  kind: CustomFieldKind;
  /** A translation key (catalogue) or the merchant's own words (custom). */
  label: { key: string } | { text: string };
  required: boolean;
  metafieldKey: string;
}

const RESERVED = new Set<string>([...Object.values(METAFIELDS).map((m) => m.key), ...PURCHASE_QUESTIONS.map((f) => f.metafield.key)]);

/** Reads the merchant's settings (shopify.extension.toml [settings]) into the questions to ask. */
export function questionsFrom(settings: Record<string, SettingValue>): Question[] {
  const required = new Set(
    String(settings.required_fields ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const questions: Question[] = PURCHASE_QUESTIONS.filter((f) => settings[askSetting(f.key)] === true).map((f) => ({
    attribute: attributeFor(f.key),
    kind: f.kind,
    label: { key: `fields.${f.key}` },
    required: required.has(f.key),
    metafieldKey: f.metafield.key,
  }));
  for (let i = 1; i <= CHECKOUT_CUSTOM_SLOTS; i++) {
    const label = String(settings[`custom_${i}_label`] ?? '').trim();
    const key = String(settings[`custom_${i}_key`] ?? '')
      .trim()
      .toLowerCase();
    const kind = String(settings[`custom_${i}_kind`] ?? 'text') as CustomFieldKind;
    if (!label || !METAFIELD_KEY.test(key) || RESERVED.has(key) || !(CUSTOM_FIELD_KINDS as readonly string[]).includes(kind)) continue;
    questions.push({ attribute: customAttributeFor(key), kind, label: { text: label }, required: required.has(key), metafieldKey: key });
  }
  return questions;
}

/** `key:kind` of each custom question, so the server stores every answer with its metafield type. */
export function customKinds(questions: Question[]): string {
  return formatCustomKinds(questions.filter((q) => 'text' in q.label).map((q) => ({ key: q.metafieldKey, kind: q.kind })));
}
