// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { DICTIONARIES } from '../web/workspace/i18n.js';
import { Badge } from '../web/workspace/parts.js';

/**
 * The status badge of a lead (list and detail): with "keep the contact before confirmation" on, a double opt-in lead
 * reaches Shopify as a contact without marketing consent while its confirmation link is still open. "Synced" alone would
 * read as if its consent were in Shopify too.
 */
describe('lead status badge', () => {
  const root = document.createElement('div');
  afterEach(() => render(null, root));
  const badge = (language: 'en' | 'fr', status: 'synced' | 'pending', doubleOptIn: 'pending' | 'confirmed' | 'expired' | null | undefined) => {
    render(<Badge status={status} doubleOptIn={doubleOptIn} t={DICTIONARIES[language]} />, root);
    return root.textContent;
  };

  it('says a synced lead’s consent still waits for its confirmation, in English and French', () => {
    expect(badge('en', 'synced', 'pending')).toBe('Synced, consent pending confirmation');
    expect(badge('fr', 'synced', 'pending')).toBe('Synchronisé, consentement en attente de confirmation');
  });

  it('says when the link expired unconfirmed: the contact is in Shopify, its marketing consent is not', () => {
    expect(badge('en', 'synced', 'expired')).toBe('Synced, consent not confirmed (link expired)');
    expect(badge('fr', 'synced', 'expired')).toBe('Synchronisé, consentement non confirmé (lien expiré)');
  });

  it('says only the status once confirmed, without double opt-in, or before the lead reached Shopify', () => {
    expect(badge('en', 'synced', 'confirmed')).toBe('Synced');
    expect(badge('en', 'synced', null)).toBe('Synced');
    expect(badge('fr', 'synced', undefined)).toBe('Synchronisé');
    expect(badge('en', 'pending', 'pending')).toBe('Pending');
  });
});
