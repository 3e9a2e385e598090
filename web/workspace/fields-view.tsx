import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiJson } from './api.js';
import { type Strings, format } from './i18n.js';
import { Announce, Card, Table, when } from './parts.js';
import type { DefinitionListing } from './types.js';

type Listing = DefinitionListing;

/** The customer metafield definitions the app made in the shop (GET /api/metafield-definitions), for owners and managers. */
export function FieldsView({ t, language }: { t: Strings; language: string }) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiJson<Listing>('/metafield-definitions').then(setListing, (e: unknown) => setError(format(t.error, { status: e instanceof ApiError ? e.status : 0 })));
  }, []);
  if (error) return <Announce>{error}</Announce>;
  if (!listing) return <Announce>{t.loading}</Announce>;
  return (
    <Card>
      <p id="fields-intro">{format(t.definitions.intro, { n: listing.custom, cap: listing.cap })}</p>
      {listing.definitions.length ? (
        <Table
          rowHeaders
          describedBy="fields-intro"
          headers={[t.definitions.key, t.definitions.type, t.definitions.origin, t.definitions.created, t.definitions.leads]}
          keys={listing.definitions.map((d) => d.key)}
          rows={listing.definitions.map((d) => [
            <code>{d.key}</code>,
            t.metafieldTypes[d.type as keyof typeof t.metafieldTypes] ?? d.type,
            d.app ? t.definitions.app : t.definitions.custom,
            d.created_at ? when(d.created_at, language) : t.definitions.declared,
            String(d.leads),
          ])}
        />
      ) : (
        <p>{t.definitions.none}</p>
      )}
    </Card>
  );
}
