import { useEffect, useState } from 'preact/hooks';
import type { SetupStatus } from '../../schema/workspace-api.js';
import { apiJson } from './api.js';
import { type Strings, format } from './i18n.js';
import { Card } from './parts.js';

/**
 * From install to first lead: the two steps in the theme editor (add the contact block to a page, turn the popup
 * embed on), each a deep link Shopify's editor opens on the right place, with whether the live theme already has it.
 * Shown in the empty state, and above the leads while a step is left. The links leave the app's frame (`_top`).
 */
const SETUP_RETRIES = 3;
const SETUP_RETRY_MS = 4000;

export function SetupCard({ t, empty }: { t: Strings; empty: boolean }) {
  const [status, setStatus] = useState<SetupStatus | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gone = false;
    // Shopify may not answer at once (its cost bucket is shared with the lead sync, which goes first): the card shows
    // the links with "Status unknown" and asks again a little later, three times, rather than until the page reloads.
    const look = (attempt: number) =>
      apiJson<SetupStatus>('/setup').then(
        (answer) => {
          if (gone) return;
          setStatus(answer);
          if (answer.live === null && attempt < SETUP_RETRIES) timer = setTimeout(() => void look(attempt + 1), SETUP_RETRY_MS * (attempt + 1));
        },
        () => !gone && setStatus(null),
      );
    void look(0);
    return () => {
      gone = true;
      clearTimeout(timer);
    };
  }, []);
  if (!status) return null;
  const live = status.live;
  if (!empty && live?.block && live.embed) return null;
  const step = (done: boolean | undefined, label: string, action: string, href: string, id: string) => (
    <li class="setup__step">
      <span id={id}>{label}</span>{' '}
      <span class={`badge badge--${done ? 'synced' : 'pending'}`}>{done === undefined ? t.setup.unknown : done ? t.setup.done : t.setup.missing}</span>{' '}
      <a class={done ? 'link' : 'button button--primary'} href={href} target="_top" aria-describedby={id}>
        {action}
      </a>
    </li>
  );
  return (
    <Card title={empty ? t.setup.emptyTitle : t.setup.title}>
      <p>{t.setup.intro}</p>
      {live?.theme ? <p>{format(t.setup.theme, { theme: live.theme })}</p> : null}
      <ol class="setup">
        {step(live?.block, t.setup.block, t.setup.addBlock, status.links.block, 'setup-block')}
        {step(live?.embed, t.setup.embed, t.setup.activateEmbed, status.links.embed, 'setup-embed')}
      </ol>
    </Card>
  );
}
