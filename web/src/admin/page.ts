/**
 * The leads workspace shell at /app. In production App Bridge comes from Shopify's CDN and supplies session tokens;
 * in local mode the dev sign-in endpoint mints the same kind of token, so the API code path is the same.
 */
export function adminPage(options: { apiKey: string; local: boolean; nonce: string }): string {
  const bridge = options.local ? '' : `<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js" data-api-key="${options.apiKey}"></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Contact Capture – Leads</title>
${bridge}
<style>
  body { font-family: -apple-system, BlinkMacSystemFont, "San Francisco", "Segoe UI", Roboto, sans-serif; margin: 0; background: #f1f1f1; color: #303030; }
  main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
  .card { background: #fff; border-radius: 0.75rem; box-shadow: 0 1px 0 rgba(26,26,26,0.07); padding: 1rem; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 0.8125rem; }
  th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid #ebebeb; vertical-align: top; }
  .badge { border-radius: 0.5rem; padding: 0.1rem 0.5rem; background: #e3e3e3; }
  h2 { font-size: 1rem; margin: 1.5rem 0 0.5rem; }
  button { font: inherit; min-height: 2rem; padding: 0.25rem 0.75rem; border-radius: 0.5rem; border: 1px solid #8a8a8a; background: #fff; cursor: pointer; }
  button:focus-visible { outline: 2px solid #005bd3; outline-offset: 1px; }
  .badge.synced { background: #cdfee1; } .badge.failed { background: #fedad9; } .badge.pending { background: #fff1e3; }
</style>
</head>
<body>
<main>
<h1>Leads</h1>
<div class="card"><table aria-describedby="leads-status"><thead><tr><th scope="col">Received</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Consent</th><th scope="col">Status</th><th scope="col">Message</th></tr></thead><tbody id="leads"></tbody></table>
<p id="leads-status" role="status">Loading…</p></div>
<h2>Data requests</h2>
<div class="card"><p>Requests Shopify forwards when a customer asks what the shop holds about them (GDPR access). Download the package and send it to the customer.</p>
<table aria-describedby="requests-status"><thead><tr><th scope="col">Received</th><th scope="col">Status</th><th scope="col">Found</th><th scope="col">Delivered</th><th scope="col">Package</th></tr></thead><tbody id="requests"></tbody></table>
<p id="requests-status" role="status"></p></div>
</main>
<script type="module" nonce="${options.nonce}">
  const token = async () => ${options.local ? "(await (await fetch('/dev/session-token')).json()).token" : 'await shopify.idToken()'};
  const cell = (text) => { const td = document.createElement('td'); td.textContent = text ?? ''; return td; };
  const response = await fetch('/api/leads?limit=100', { headers: { authorization: 'Bearer ' + await token() } });
  const status = document.getElementById('leads-status');
  if (!response.ok) { status.textContent = 'Could not load leads (' + response.status + ').'; }
  else {
    const { leads } = await response.json();
    const body = document.getElementById('leads');
    for (const lead of leads) {
      const row = document.createElement('tr');
      row.append(cell(new Date(lead.created_at).toLocaleString()), cell([lead.first_name, lead.last_name].filter(Boolean).join(' ')), cell(lead.email), cell(lead.email_consent ? 'Yes' : 'No'));
      const st = cell(''); const badge = document.createElement('span'); badge.className = 'badge ' + lead.status; badge.textContent = lead.status; st.append(badge);
      if (lead.sync_error) st.append(document.createElement('br'), lead.sync_error);
      row.append(st, cell(lead.message));
      body.append(row);
    }
    status.textContent = leads.length ? leads.length + ' leads' : 'No leads yet. Submit the storefront form to see one here.';
  }
  const reqStatus = document.getElementById('requests-status');
  const reqResponse = await fetch('/api/compliance/requests', { headers: { authorization: 'Bearer ' + await token() } });
  if (!reqResponse.ok) { reqStatus.textContent = 'Could not load data requests (' + reqResponse.status + ').'; }
  else {
    const { requests } = await reqResponse.json();
    const body = document.getElementById('requests');
    const access = requests.filter((r) => r.topic === 'customers/data_request');
    for (const r of access) {
      const row = document.createElement('tr');
      row.append(cell(new Date(r.received_at).toLocaleString()), cell(r.status), cell(r.result ? r.result.leads + ' leads' : ''), cell(r.delivered_at ? new Date(r.delivered_at).toLocaleString() : 'Not yet'));
      const actions = cell('');
      if (r.has_package) {
        for (const format of ['json', 'csv']) {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = 'Download ' + format.toUpperCase();
          button.addEventListener('click', async () => {
            const res = await fetch('/api/compliance/requests/' + r.id + '/package?format=' + format, { headers: { authorization: 'Bearer ' + await token() } });
            const url = URL.createObjectURL(await res.blob());
            const a = document.createElement('a');
            a.href = url; a.download = 'data-request-' + r.id + '.' + format; a.click();
            URL.revokeObjectURL(url);
            reqStatus.textContent = 'Package downloaded; delivery recorded.';
          });
          actions.append(button, ' ');
        }
      }
      row.append(actions);
      body.append(row);
    }
    reqStatus.textContent = access.length ? access.length + ' data requests' : 'No data requests.';
  }
</script>
</body>
</html>`;
}
