import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Strings } from './i18n.js';
import type { Status } from './types.js';

export function Badge({ status, t }: { status: Status; t: Strings }) {
  return <span class={`badge badge--${status}`}>{t.status[status]}</span>;
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

export const fullName = (l: { first_name: string | null; last_name: string | null; email: string }) => [l.first_name, l.last_name].filter(Boolean).join(' ') || l.email;
export const when = (iso: string, language: string) => new Date(iso).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
