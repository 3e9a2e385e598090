import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, apiJson } from './api.js';
import { type Strings, format, plural } from './i18n.js';
import { Announce, Badge, Card, FilterSelect, Table, countText, fullName, shown, when } from './parts.js';
import { SetupCard } from './setup-card.js';
import { EMPTY_FILTER, type Filter, type Lead, type LeadCounts, type LeadFacets, type LeadPage, type Me, type Status, filterQuery } from './types.js';

const STATUSES: Status[] = ['pending', 'synced', 'failed', 'no_consent', 'quarantined'];

interface Props {
  t: Strings;
  language: string;
  me: Me;
  filter: Filter;
  onFilter(filter: Filter): void;
  onOpen(id: string): void;
}

export function LeadsView({ t, language, me, filter, onFilter, onOpen }: Props) {
  const [leads, setLeads] = useState<Lead[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [counts, setCounts] = useState<LeadCounts | null>(null);
  const [facets, setFacets] = useState<{ forms: string[]; tags: string[] }>({ forms: [], tags: [] });
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState(filter.q);
  const [exportState, setExportState] = useState<{ done: number; total: number; finished: boolean } | null>(null);

  useEffect(() => {
    let live = true;
    setLeads(null);
    setError(null);
    const query = filterQuery(filter);
    const { sort: _sort, ...rest } = filter;
    // The page shows as soon as its rows arrive; the counts (a scan of the whole filter) follow on their own.
    apiJson<LeadPage>(`/leads?${query}&limit=50`).then(
      (page) => {
        if (!live) return;
        setLeads(page.leads);
        setNext(page.nextCursor);
      },
      (e: unknown) => live && setError(format(t.error, { status: e instanceof ApiError ? e.status : 0 })),
    );
    // The form and tag menus are read again with each list: a form whose first lead came after the page opened appears,
    // and one failed read does not leave the menus empty for as long as the page stays open.
    apiJson<LeadFacets>('/leads/facets').then(
      (f) => live && setFacets(f),
      () => undefined,
    );
    apiJson<typeof counts>(`/leads/counts?${filterQuery({ ...EMPTY_FILTER, ...rest })}`).then(
      (c) => live && setCounts(c),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [JSON.stringify(filter)]);

  const more = async () => {
    if (!next) return;
    const page = await apiJson<LeadPage>(`/leads?${filterQuery(filter)}&limit=50&cursor=${encodeURIComponent(next)}`);
    setLeads([...(leads ?? []), ...page.leads]);
    setNext(page.nextCursor);
  };

  /** Streams the CSV, counting rows as they arrive for the progress bar, then hands the file to the browser. */
  const exportCsv = async () => {
    const response = await api(`/leads/export.csv?${filterQuery(filter)}`);
    const total = Number(response.headers.get('x-total-rows') ?? 0);
    setExportState({ done: 0, total, finished: false });
    const reader = response.body!.getReader();
    const chunks: BlobPart[] = [];
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      for (const byte of value) if (byte === 10) lines++;
      setExportState({ done: Math.max(0, lines - 1), total, finished: false });
    }
    const url = URL.createObjectURL(new Blob(chunks, { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'leads.csv';
    link.click();
    URL.revokeObjectURL(url);
    setExportState({ done: Math.max(0, lines - 1), total, finished: true });
  };

  const set = (patch: Partial<Filter>) => onFilter({ ...filter, ...patch });
  const yesNo: Array<[string, string]> = [
    ['', t.any],
    ['yes', t.yes],
    ['no', t.no],
  ];
  const masked = !me.permissions.includes('unmasked');
  const total = counts?.total ?? 0;
  const allCount = counts ? Object.values(counts.byStatus).reduce((a, b) => a + b, 0) : 0;
  const filtered = JSON.stringify({ ...filter, status: '', sort: '' }) !== JSON.stringify({ ...EMPTY_FILTER, status: '', sort: '' });

  return (
    <>
      <Card>
        <form
          role="search"
          class="search"
          onSubmit={(e) => {
            e.preventDefault();
            set({ q: draft.trim() });
          }}
        >
          <label for="lead-search" class="visually-hidden">
            {masked ? t.searchMasked : t.search}
          </label>
          <input
            id="lead-search"
            type="search"
            value={draft}
            placeholder={masked ? t.searchMasked : t.search}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
          <button type="submit" class="button button--primary">
            {t.searchButton}
          </button>
        </form>
        <fieldset class="filters">
          <legend>{t.filters}</legend>
          <FilterSelect
            label={t.form}
            value={filter.form}
            options={[['', t.anyForm], ...facets.forms.map((f): [string, string] => [f, f])]}
            onChange={(form) => set({ form })}
          />
          <label>
            {t.from}
            <input type="date" value={filter.from} onChange={(e) => set({ from: e.currentTarget.value })} />
          </label>
          <label>
            {t.to}
            <input type="date" value={filter.to} onChange={(e) => set({ to: e.currentTarget.value })} />
          </label>
          <FilterSelect label={t.consent} value={filter.consent} options={yesNo} onChange={(consent) => set({ consent })} />
          <FilterSelect
            label={t.tag}
            value={filter.tag}
            options={[['', t.anyTag], ...facets.tags.map((f): [string, string] => [f, f])]}
            onChange={(tag) => set({ tag })}
          />
          <FilterSelect label={t.handled} value={filter.handled} options={yesNo} onChange={(handled) => set({ handled })} />
          <FilterSelect
            label={t.sort}
            value={filter.sort}
            options={[
              ['newest', t.newest],
              ['oldest', t.oldest],
            ]}
            onChange={(sort) => set({ sort })}
          />
          {filtered ? (
            <button
              type="button"
              class="button button--plain"
              onClick={() => {
                setDraft('');
                onFilter(EMPTY_FILTER);
              }}
            >
              {t.clear}
            </button>
          ) : null}
        </fieldset>
      </Card>

      <div class="toolbar">
        <div class="status-tabs" role="group" aria-label={t.columns.status}>
          <button type="button" aria-pressed={!filter.status} onClick={() => set({ status: '' })}>
            {t.status.all} <span class="count">{allCount}</span>
          </button>
          {STATUSES.map((s) => (
            <button type="button" aria-pressed={filter.status === s} onClick={() => set({ status: s })}>
              {t.status[s]} <span class="count">{counts?.byStatus[s] ?? 0}</span>
            </button>
          ))}
        </div>
        {me.permissions.includes('export') ? (
          <button type="button" class="button" onClick={exportCsv} disabled={exportState !== null && !exportState.finished}>
            {t.export}
          </button>
        ) : null}
      </div>
      {exportState ? (
        <div class="export-progress">
          <progress max={exportState.total || 1} value={exportState.done} aria-label={t.export} />
          <Announce>
            {exportState.finished
              ? plural(t, exportState.done, t.exportedOne, t.exported)
              : format(t.exporting, { done: exportState.done, total: exportState.total })}
          </Announce>
        </div>
      ) : null}
      {masked ? <p class="banner">{t.masked}</p> : null}

      {leads ? <SetupCard t={t} empty={leads.length === 0 && !filtered && !filter.status} /> : null}
      <Card>
        {error ? <Announce>{error}</Announce> : null}
        {leads === null && !error ? <Announce>{t.loading}</Announce> : null}
        {leads && leads.length === 0 ? <Announce>{filtered || filter.status ? t.noMatch : t.noLeads}</Announce> : null}
        {leads && leads.length > 0 ? (
          <>
            <Announce id="lead-count">
              {!counts ? '' : counts.capped ? format(t.countMore, { n: total.toLocaleString(language) }) : countText(t, total)}
            </Announce>
            <Table
              describedBy="lead-count"
              rowHeaders
              headers={[t.columns.name, t.columns.email, t.columns.received, t.columns.consent, t.columns.status, t.columns.message]}
              keys={leads.map((l) => l.id)}
              rows={leads.map((lead) => [
                <>
                  <button type="button" class="link" onClick={() => onOpen(lead.id)} aria-label={format(t.open, { name: fullName(lead) })}>
                    {fullName(lead)}
                  </button>
                  {lead.handled_at ? (
                    <span class="tick" title={t.handled}>
                      {' '}
                      ✓
                    </span>
                  ) : null}
                </>,
                shown(lead, 'email', lead.email, t.unreadable),
                when(lead.created_at, language),
                lead.email_consent ? t.yes : t.no,
                <>
                  <Badge status={lead.status} doubleOptIn={lead.double_opt_in} t={t} />
                  {lead.sync_warnings?.length ? <span class="badge badge--warning">{t.refused.badge}</span> : null}
                </>,
                <span class="message">{shown(lead, 'message', lead.message, t.unreadable)}</span>,
              ])}
            />
            {next ? (
              <button type="button" class="button load-more" onClick={more}>
                {t.loadMore}
              </button>
            ) : null}
          </>
        ) : null}
      </Card>
    </>
  );
}
