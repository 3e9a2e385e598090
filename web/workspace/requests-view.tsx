import { useEffect, useState } from 'preact/hooks';
import { api, apiJson } from './api.js';
import { type Strings, format } from './i18n.js';
import { Announce, Card, Table, countText, when } from './parts.js';
import type { ComplianceRequest } from './types.js';

/** GDPR access requests forwarded by Shopify, with their packages (owner only). */
export function RequestsView({ t, language }: { t: Strings; language: string }) {
  const [requests, setRequests] = useState<ComplianceRequest[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = () =>
    apiJson<{ requests: ComplianceRequest[] }>('/compliance/requests').then((r) => setRequests(r.requests.filter((x) => x.topic === 'customers/data_request')));
  useEffect(() => {
    void load();
  }, []);
  const download = async (r: ComplianceRequest, kind: string) => {
    const response = await api(`/compliance/requests/${r.id}/package?format=${kind}`);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `data-request-${r.id}.${kind}`;
    link.click();
    URL.revokeObjectURL(url);
    setMessage(t.requests.done);
    await load();
  };
  return (
    <Card>
      <p>{t.requests.intro}</p>
      {message ? <Announce>{message}</Announce> : null}
      {!requests ? <Announce>{t.loading}</Announce> : requests.length === 0 ? <Announce>{t.requests.none}</Announce> : null}
      {requests?.length ? (
        <Table
          headers={[t.requests.received, t.requests.status, t.requests.found, t.requests.delivered, t.requests.package]}
          keys={requests.map((r) => r.id)}
          rows={requests.map((r) => [
            when(r.received_at, language),
            t.requests.statuses[r.status as keyof typeof t.requests.statuses] ?? r.status,
            r.result?.leads !== undefined ? countText(t, r.result.leads) : '',
            r.delivered_at ? when(r.delivered_at, language) : t.requests.notYet,
            r.has_package
              ? ['json', 'csv'].map((kind) => (
                  <button type="button" class="button" onClick={() => download(r, kind)}>
                    {format(t.requests.download, { format: kind.toUpperCase() })}
                  </button>
                ))
              : null,
          ])}
        />
      ) : null}
    </Card>
  );
}
