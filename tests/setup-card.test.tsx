// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SetupStatus } from '../schema/workspace-api.js';

const answers: SetupStatus[] = [];
const asked = vi.fn();
vi.mock('../web/workspace/api.js', () => ({
  apiJson: async () => {
    asked();
    return answers.length > 1 ? answers.shift() : answers[0];
  },
}));
const { SetupCard } = await import('../web/workspace/setup-card.js');
const { DICTIONARIES } = await import('../web/workspace/i18n.js');

const links = {
  block: 'https://shop.example/admin/themes/current/editor?addAppBlockId=x',
  embed: 'https://shop.example/admin/themes/current/editor?activateAppId=y',
};

/**
 * The setup card reads the live theme through Shopify, whose cost bucket the lead sync shares: Shopify may not answer
 * at once. The card then says "Status unknown" and asks again a few seconds later, instead of until the page reloads.
 */
describe('setup card', () => {
  const root = document.createElement('div');
  beforeEach(() => {
    vi.useFakeTimers();
    asked.mockClear();
  });
  afterEach(() => {
    render(null, root);
    vi.useRealTimers();
  });
  const settle = async (ms: number) => {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(ms);
    });
  };

  it('asks again when Shopify could not answer, and shows the answer once it comes', async () => {
    answers.splice(0, answers.length, { links, live: null }, { links, live: { theme: 'Dawn', block: false, embed: false } });
    await act(() => render(<SetupCard t={DICTIONARIES.en} empty />, root));
    await settle(0);
    expect(root.textContent).toContain('Status unknown');
    expect(asked).toHaveBeenCalledTimes(1);
    await settle(4000);
    expect(asked).toHaveBeenCalledTimes(2);
    expect(root.textContent).not.toContain('Status unknown');
    expect(root.textContent?.match(/Not yet/g)).toHaveLength(2);
    await settle(60_000);
    expect(asked).toHaveBeenCalledTimes(2);
  });

  it('gives up after three more tries while Shopify stays silent', async () => {
    answers.splice(0, answers.length, { links, live: null });
    await act(() => render(<SetupCard t={DICTIONARIES.en} empty />, root));
    await settle(60_000);
    expect(asked).toHaveBeenCalledTimes(4);
    expect(root.textContent).toContain('Status unknown');
  });
});
