import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, apiJson } from './api.js';
import { type Strings, format } from './i18n.js';
import { Announce, Badge, Card, fullName, when } from './parts.js';
import { EMPTY_FILTER, type Filter, type Lead, type Me, type Status, filterQuery } from './types.js';

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
  const [counts, setCounts] = useState<{ total: number; byStatus: Record<Status, number>; capped: boolean } | null>(null);
  const [facets, setFacets] = useState<{ forms: string[]; tags: string[] }>({ forms: [], tags: [] });
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState(filter.q);
  const [exportState, setExportState] = useState<{ done: number; total: number; finished: boolean } | null>(null);

  useEffect(() => {
    apiJson<{ forms: string[]; tags: string[] }>('/leads/facets').then(setFacets, () => undefined);
  }, []);

  useEffect(() => {
    let live = true;
    setLeads(null);
    setError(null);
    const query = filterQuery(filter);
    const { status: _status, sort: _sort, ...rest } = filter;
    Promise.all([apiJson<{ leads: Lead[]; nextCursor: string | null }>(`/leads?${query}&limit=50`), apiJson<typeof counts>(`/leads/counts?${filterQuery({ ...EMPTY_FILTER, ...rest, status: filter.status })}`)]).then(
      ([page, c]) => {
        if (!live) return;
        setLeads(page.leads);
        setNext(page.nextCursor);
        setCounts(c);
      },
      (e: unknown) => live && setError(format(t.error, { status: e instanceof ApiError ? e.status : 0 })),
    );
    return () => {
      live = false;
    };
  }, [JSON.stringify(filter)]);

  const more = async () => {
    if (!next) return;
    const page = await apiJson<{ leads: Lead[]; nextCursor: string | null }>(`/leads?${filterQuery(filter)}&limit=50&cursor=${encodeURIComponent(next)}`);
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
            {t.search}
          </label>
          <input id="lead-search" type="search" value={draft} placeholder={t.search} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button type="submit" class="button button--primary">
            {t.searchButton}
          </button>
        </form>
        <fieldset class="filters">
          <legend>{t.filters}</legend>
          <label>
            {t.form}
            <select value={filter.form} onChange={(e) => set({ form: e.currentTarget.value })}>
              <option value="">{t.anyForm}</option>
              {facets.forms.map((f) => (
                <option value={f}>{f}</option>
              ))}
            </select>
          </label>
          <label>
            {t.from}
            <input type="date" value={filter.from} onChange={(e) => set({ from: e.currentTarget.value })} />
          </label>
          <label>
            {t.to}
            <input type="date" value={filter.to} onChange={(e) => set({ to: e.currentTarget.value })} />
          </label>
          <label>
            {t.consent}
            <select value={filter.consent} onChange={(e) => set({ consent: e.currentTarget.value })}>
              <option value="">{t.any}</option>
              <option value="yes">{t.yes}</option>
              <option value="no">{t.no}</option>
            </select>
          </label>
          <label>
            {t.tag}
            <select value={filter.tag} onChange={(e) => set({ tag: e.currentTarget.value })}>
              <option value="">{t.anyTag}</option>
              {facets.tags.map((f) => (
                <option value={f}>{f}</option>
              ))}
            </select>
          </label>
          <label>
            {t.handled}
            <select value={filter.handled} onChange={(e) => set({ handled: e.currentTarget.value })}>
              <option value="">{t.any}</option>
              <option value="yes">{t.yes}</option>
              <option value="no">{t.no}</option>
            </select>
          </label>
          <label>
            {t.sort}
            <select value={filter.sort} onChange={(e) => set({ sort: e.currentTarget.value })}>
              <option value="newest">{t.newest}</option>
              <option value="oldest">{t.oldest}</option>
            </select>
          </label>
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
          <Announce>{exportState.finished ? format(t.exported, { n: exportState.done }) : format(t.exporting, { done: exportState.done, total: exportState.total })}</Announce>
        </div>
      ) : null}
      {masked ? <p class="banner">{t.masked}</p> : null}

      <Card>
        {error ? <Announce>{error}</Announce> : null}
        {leads === null && !error ? <Announce>{t.loading}</Announce> : null}
        {leads && leads.length === 0 ? <Announce>{filtered || filter.status ? t.noMatch : t.noLeads}</Announce> : null}
        {leads && leads.length > 0 ? (
          <>
            <Announce id="lead-count">{counts?.capped ? format(t.countMore, { n: total.toLocaleString(language) }) : total === 1 ? t.countOne : format(t.count, { n: total })}</Announce>
            <div class="table-wrap">
              <table aria-describedby="lead-count">
                <thead>
                  <tr>
                    <th scope="col">{t.columns.name}</th>
                    <th scope="col">{t.columns.email}</th>
                    <th scope="col">{t.columns.received}</th>
                    <th scope="col">{t.columns.consent}</th>
                    <th scope="col">{t.columns.status}</th>
                    <th scope="col">{t.columns.message}</th>
                  </tr>
                </thead>
                <tbody>
                  {leads.map((lead) => (
                    <tr key={lead.id}>
                      <th scope="row">
                        <button type="button" class="link" onClick={() => onOpen(lead.id)} aria-label={format(t.open, { name: fullName(lead) })}>
                          {fullName(lead)}
                        </button>
                        {lead.handled_at ? <span class="tick" title={t.handled}> ✓</span> : null}
                      </th>
                      <td>{lead.email}</td>
                      <td>{when(lead.created_at, language)}</td>
                      <td>{lead.email_consent ? t.yes : t.no}</td>
                      <td>
                        <Badge status={lead.status} t={t} />
                      </td>
                      <td class="message">{lead.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
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
