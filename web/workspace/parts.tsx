import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { type Strings, plural, statusText } from './i18n.js';
import type { Lead, Status } from './types.js';

/** A lead's status; `doubleOptIn` is required so that no badge forgets a consent still waiting for its shopper. */
export function Badge({ status, doubleOptIn, t }: { status: Status; doubleOptIn: Lead['double_opt_in']; t: Strings }) {
  return <span class={`badge badge--${status}`}>{statusText(t, status, doubleOptIn)}</span>;
}

export function Card({ title, children, headingLevel = 2 }: { title?: string; children: ComponentChildren; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section class="card">
      {title ? <Heading class="card__title">{title}</Heading> : null}
      {children}
    </section>
  );
}

/** A polite live region: loading, empty and result messages are announced to screen readers. */
export function Announce({ children, id }: { children: ComponentChildren; id?: string }) {
  return (
    <p class="status" role="status" id={id}>
      {children}
    </p>
  );
}

/** Moves focus to the new view's heading so keyboard and screen reader users land where the content changed. */
export function FocusHeading({ children, level = 1 }: { children: ComponentChildren; level?: 1 | 2 }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const Tag = level === 1 ? 'h1' : 'h2';
  return (
    <Tag ref={ref} tabIndex={-1} class="page-title">
      {children}
    </Tag>
  );
}

// Thank-you page answers from a logged-in buyer may come with no name or email: the row still needs a name to click.
export const fullName = (l: { first_name: string | null; last_name: string | null; email: string | null; id: string }) =>
  [l.first_name, l.last_name].filter(Boolean).join(' ') || l.email || `#${l.id.slice(0, 8)}`;

/** A field's value, or the word for "unreadable" when the server could not decrypt it (so it never looks empty). */
export const shown = (row: { unreadable?: string[] | undefined }, field: string, value: string | null | undefined, unreadable: string) =>
  row.unreadable?.includes(field) ? unreadable : value;
export const when = (iso: string, language: string) => new Date(iso).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });

/** A data table with column headers (and, optionally, the first cell of each row as its header). */
export function Table({
  headers,
  rows,
  keys,
  rowHeaders = false,
  describedBy,
}: {
  headers: string[];
  rows: ComponentChildren[][];
  keys?: string[];
  rowHeaders?: boolean;
  describedBy?: string;
}) {
  return (
    <div class="table-wrap">
      <table aria-describedby={describedBy}>
        <thead>
          <tr>
            {headers.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((cells, i) => (
            <tr key={keys?.[i] ?? i}>{cells.map((cell, j) => (rowHeaders && j === 0 ? <th scope="row">{cell}</th> : <td>{cell}</td>))}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A labelled filter menu: the first option means "any". */
export function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: Array<[string, string]>;
  onChange(value: string): void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map(([v, text]) => (
          <option value={v}>{text}</option>
        ))}
      </select>
    </label>
  );
}

export const countText = (t: Strings, n: number) => plural(t, n, t.countOne, t.count);
