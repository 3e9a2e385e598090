import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiJson } from './api.js';
import { type Strings, format } from './i18n.js';
import { Announce, Card, when } from './parts.js';
import type { Role } from './types.js';

interface StaffRow {
  user_id: string;
  name: string | null;
  role: Role;
  is_owner: boolean;
}

export function TeamView({ t }: { t: Strings }) {
  const [staff, setStaff] = useState<StaffRow[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = () => apiJson<{ staff: StaffRow[] }>('/staff').then((r) => setStaff(r.staff), (e: unknown) => setMessage(format(t.error, { status: e instanceof ApiError ? e.status : 0 })));
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
        <table>
          <thead>
            <tr>
              <th scope="col">{t.team.user}</th>
              <th scope="col">{t.team.role}</th>
            </tr>
          </thead>
          <tbody>
            {staff.map((s) => (
              <tr>
                <th scope="row" id={`staff-${s.user_id}`}>
                  {s.name ?? `#${s.user_id}`}
                </th>
                <td>
                  {s.is_owner ? (
                    t.team.owner
                  ) : (
                    <select aria-labelledby={`staff-${s.user_id}`} value={s.role} onChange={(e) => assign(s.user_id, e.currentTarget.value)}>
                      <option value="manager">{t.team.manager}</option>
                      <option value="viewer">{t.team.viewer}</option>
                    </select>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}

interface AuditEntry {
  id: string;
  user_id: string;
  name: string | null;
  action: string;
  lead_id: string | null;
  detail: Record<string, unknown> | null;
  at: string;
}

export function AuditView({ t, language }: { t: Strings; language: string }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  useEffect(() => {
    apiJson<{ entries: AuditEntry[] }>('/audit').then((r) => setEntries(r.entries), () => setEntries([]));
  }, []);
  return (
    <Card>
      <p>{t.audit.intro}</p>
      {!entries ? <Announce>{t.loading}</Announce> : entries.length === 0 ? <Announce>{t.audit.empty}</Announce> : null}
      {entries?.length ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.audit.when}</th>
                <th scope="col">{t.audit.who}</th>
                <th scope="col">{t.audit.action}</th>
                <th scope="col">{t.audit.lead}</th>
                <th scope="col">{t.audit.detail}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr>
                  <td>{when(e.at, language)}</td>
                  <td>{e.name ?? `#${e.user_id}`}</td>
                  <td>{e.action}</td>
                  <td class="mono">{e.lead_id?.slice(0, 8) ?? ''}</td>
                  <td class="mono">{e.detail ? JSON.stringify(e.detail) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}
