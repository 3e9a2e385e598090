import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiJson } from './api.js';
import { DICTIONARIES, type Strings, format, pickLanguage } from './i18n.js';
import { FieldsView } from './fields-view.js';
import { InsightsView } from './insights-view.js';
import { LeadDetailView } from './lead-detail.js';
import { LeadsView } from './leads-view.js';
import { OptInSettingsCard } from './opt-in-settings.js';
import { MailView } from './mail-view.js';
import { Announce, FocusHeading } from './parts.js';
import { RequestsView } from './requests-view.js';
import { AuditView, TeamView } from './team-view.js';
import { EMPTY_FILTER, type Filter, type Me } from './types.js';

type View =
  | { name: 'leads' }
  | { name: 'lead'; id: string }
  | { name: 'insights' }
  | { name: 'requests' }
  | { name: 'definitions' }
  | { name: 'team' }
  | { name: 'audit' }
  | { name: 'mail' };
type Tab = Exclude<View['name'], 'lead'>;

const TABS: Array<{ name: Tab; needs: string }> = [
  { name: 'leads', needs: 'read' },
  { name: 'insights', needs: 'read' },
  { name: 'requests', needs: 'privacy' },
  { name: 'definitions', needs: 'work' },
  { name: 'team', needs: 'manageRoles' },
  { name: 'audit', needs: 'audit' },
  { name: 'mail', needs: 'read' },
];

function App({ t, language }: { t: Strings; language: string }) {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Flow triggers link to a lead (`?lead=<id>`): open it directly.
  const [view, setView] = useState<View>(() => {
    const linked = new URLSearchParams(location.search).get('lead');
    return linked ? { name: 'lead', id: linked } : { name: 'leads' };
  });
  const [filter, setFilter] = useState<Filter>(EMPTY_FILTER);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    apiJson<Me>('/me').then(setMe, (e: unknown) => setError(format(t.error, { status: e instanceof ApiError ? e.status : 0 })));
  }, []);

  if (error) return <Announce>{error}</Announce>;
  if (!me) return <Announce>{t.loading}</Announce>;
  const tab: Tab = view.name === 'lead' ? 'leads' : view.name;

  return (
    <>
      <nav class="tabs" aria-label={t.title}>
        <ul>
          {TABS.filter((x) => me.permissions.includes(x.needs)).map((x) => (
            <li>
              <button type="button" aria-current={tab === x.name ? 'page' : undefined} onClick={() => setView({ name: x.name } as View)}>
                {t.nav[x.name]}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {view.name === 'lead' ? (
          <LeadDetailView
            key={view.id}
            t={t}
            language={language}
            me={me}
            id={view.id}
            onBack={(message) => {
              setNotice(message ?? null);
              setView({ name: 'leads' });
            }}
          />
        ) : (
          <>
            <FocusHeading key={view.name}>{t.nav[view.name]}</FocusHeading>
            {notice ? <Announce>{notice}</Announce> : null}
            {view.name === 'leads' ? (
              <LeadsView
                t={t}
                language={language}
                me={me}
                filter={filter}
                onFilter={setFilter}
                onOpen={(id) => {
                  setNotice(null);
                  setView({ name: 'lead', id });
                }}
              />
            ) : null}
            {view.name === 'insights' ? <InsightsView t={t} language={language} /> : null}
            {view.name === 'requests' ? <RequestsView t={t} language={language} /> : null}
            {view.name === 'definitions' ? <FieldsView t={t} language={language} /> : null}
            {view.name === 'team' ? <TeamView t={t} /> : null}
            {view.name === 'audit' ? <AuditView t={t} language={language} /> : null}
            {view.name === 'mail' ? <MailView t={t} /> : null}
            {view.name === 'mail' && me.permissions.includes('privacy') ? <OptInSettingsCard t={t} /> : null}
          </>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
const language = pickLanguage(location.search, navigator.languages);
document.documentElement.lang = language;
document.title = `Contact Capture – ${DICTIONARIES[language].title}`;
render(<App t={DICTIONARIES[language]} language={language} />, root);
