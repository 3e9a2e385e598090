import type { ContactField } from '../../../../schema/contact-fields.js';
import { escapeForLiquid as esc } from './liquid-pages.js';

/**
 * The control of a standard contact field on a page the server renders (the no-JS form again, the self-service
 * correction form), with the input type and autocomplete token of the definition, as the block's cc-field snippet
 * renders them. `attrs` carries the id, the name and ARIA; `styled` adds the block's classes.
 */
export function contactControl(field: ContactField, value: string, attrs: string, styled: boolean): string {
  // The definition's limit, as the block's cc-field renders it: the shopper meets it while typing, not after posting.
  if (field.input === 'textarea')
    return `<textarea${styled ? ' class="cc__input cc__textarea"' : ''} rows="5" maxlength="${field.max}" ${attrs}>${esc(value)}</textarea>`;
  const autocomplete = field.autocomplete ? ` autocomplete="${field.autocomplete}"` : '';
  return `<input${styled ? ' class="cc__input"' : ''} type="${field.input}"${autocomplete} maxlength="${field.max}" value="${esc(value)}" ${attrs}>`;
}
