import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiJson } from './api.js';
import { type Strings, auditDetail, format } from './i18n.js';
import { Announce, Card, Table, when } from './parts.js';
import type { AuditEntry, StaffMember } from './types.js';

type StaffRow = StaffMember;

export function TeamView({ t }: { t: Strings }) {
  const [staff, setStaff] = useState<StaffRow[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = () =>
    apiJson<{ staff: StaffRow[] }>('/staff').then(
      (r) => setStaff(r.staff),
      (e: unknown) => setMessage(format(t.error, { status: e instanceof ApiError ? e.status : 0 })),
    );
  useEffect(() => {
    void load();
  }, []);
  const assign = async (userId: string, role: string) => {
    await apiJson(`/staff/${userId}`, { method: 'PUT', body: JSON.stringify({ role }) });
    setMessage(t.team.saved);
    await load();
  };
  return (
    <Card>
      <p>{t.team.intro}</p>
      {message ? <Announce>{message}</Announce> : null}
      {!staff ? <Announce>{t.loading}</Announce> : null}
      {staff ? (
        <Table
          rowHeaders
          headers={[t.team.user, t.team.role]}
          keys={staff.map((s) => s.user_id)}
          rows={staff.map((s) => [
            <span id={`staff-${s.user_id}`}>{s.name ?? `#${s.user_id}`}</span>,
            s.is_owner ? (
              t.team.owner
            ) : (
              <select aria-labelledby={`staff-${s.user_id}`} value={s.role} onChange={(e) => assign(s.user_id, e.currentTarget.value)}>
                <option value="manager">{t.team.manager}</option>
                <option value="viewer">{t.team.viewer}</option>
              </select>
            ),
          ])}
        />
      ) : null}
    </Card>
  );
}

export function AuditView({ t, language }: { t: Strings; language: string }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  useEffect(() => {
    apiJson<{ entries: AuditEntry[] }>('/audit').then(
      (r) => setEntries(r.entries),
      () => setEntries([]),
    );
  }, []);
  return (
    <Card>
      <p>{t.audit.intro}</p>
      {!entries ? <Announce>{t.loading}</Announce> : entries.length === 0 ? <Announce>{t.audit.empty}</Announce> : null}
      {entries?.length ? (
        <Table
          headers={[t.audit.when, t.audit.who, t.audit.action, t.audit.lead, t.audit.detail]}
          keys={entries.map((e) => e.id)}
          rows={entries.map((e) => [
            when(e.at, language),
            e.name ?? `#${e.user_id}`,
            t.audit.actions[e.action as keyof typeof t.audit.actions] ?? e.action,
            <span class="mono">{e.lead_id?.slice(0, 8) ?? ''}</span>,
            auditDetail(t, e.detail),
          ])}
        />
      ) : null}
    </Card>
  );
}
