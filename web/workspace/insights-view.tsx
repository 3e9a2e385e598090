import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiJson } from './api.js';
import { type Strings, format } from './i18n.js';
import type { FormInsight, Insights } from './types.js';
import { Announce, Card, Table } from './parts.js';

const percent = (v: number | null, language: string) => (v === null ? '—' : v.toLocaleString(language, { style: 'percent', maximumFractionDigits: 1 }));

export function InsightsView({ t, language }: { t: Strings; language: string }) {
  const [forms, setForms] = useState<FormInsight[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiJson<Insights>('/insights').then(
      (r) => setForms(r.forms),
      (e: unknown) => setError(format(t.error, { status: e instanceof ApiError ? e.status : 0 })),
    );
  }, []);
  if (error) return <Announce>{error}</Announce>;
  if (!forms) return <Announce>{t.loading}</Announce>;
  return (
    <>
      <p>{t.insights.intro}</p>
      {forms.length === 0 ? <Announce>{t.insights.none}</Announce> : null}
      {forms.map((f) => (
        <Card title={f.form || '—'}>
          <dl class="metrics">
            <div>
              <dt>{t.insights.views}</dt>
              <dd>{f.views}</dd>
            </div>
            <div>
              <dt>{t.insights.submissions}</dt>
              <dd>{f.submissions}</dd>
            </div>
            <div>
              <dt>{t.insights.conversion}</dt>
              <dd>{percent(f.conversionRate, language)}</dd>
            </div>
            <div>
              <dt>{t.insights.consentRate}</dt>
              <dd>{percent(f.consentRate, language)}</dd>
            </div>
            <div>
              <dt>{t.insights.spam}</dt>
              <dd>{f.spam}</dd>
            </div>
          </dl>
          <Chart t={t} insight={f} language={language} />
        </Card>
      ))}
    </>
  );
}

/**
 * Stacked bars per day (submissions, spam). The SVG is decorative for screen readers, which get the same figures as
 * a table in a disclosure right below it.
 */
function Chart({ t, insight, language }: { t: Strings; insight: FormInsight; language: string }) {
  const days = insight.days;
  const max = Math.max(1, ...days.map((d) => d.submissions + d.spam));
  const width = 600;
  const height = 120;
  const bar = width / days.length;
  const title = format(t.insights.chart, { form: insight.form || '—' });
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height + 16}`} role="img" aria-label={title}>
        {days.map((d, i) => {
          const ok = (d.submissions / max) * height;
          const spam = (d.spam / max) * height;
          return (
            <g>
              <rect x={i * bar + 1} y={height - ok} width={bar - 2} height={ok} class="bar bar--ok" />
              <rect x={i * bar + 1} y={height - ok - spam} width={bar - 2} height={spam} class="bar bar--spam" />
            </g>
          );
        })}
        <text x="0" y={height + 14} class="axis">
          {new Date(`${days[0]?.day}T00:00:00Z`).toLocaleDateString(language, { month: 'short', day: 'numeric' })}
        </text>
        <text x={width} y={height + 14} text-anchor="end" class="axis">
          {new Date(`${days[days.length - 1]?.day}T00:00:00Z`).toLocaleDateString(language, { month: 'short', day: 'numeric' })}
        </text>
      </svg>
      <figcaption>
        <span class="legend legend--ok">{t.insights.submissions}</span> <span class="legend legend--spam">{t.insights.spam}</span>
      </figcaption>
      <details>
        <summary>{title}</summary>
        <Table
          rowHeaders
          headers={[t.insights.day, t.insights.views, t.insights.submissions, t.insights.spam]}
          rows={days.filter((d) => d.views || d.submissions || d.spam).map((d) => [d.day, d.views, d.submissions, d.spam])}
        />
      </details>
    </figure>
  );
}
