import type { Kysely } from 'kysely';
import { nowIso } from '../core/ids.js';
import type { Database } from '../storage/tables.js';
import type { Keyring } from '../storage/keyring.js';

/** Where each shop's offline access token lives, encrypted at rest. */
export interface ShopTokens {
  save(shop: string, accessToken: string, scope: string): Promise<void>;
  get(shop: string): Promise<string | null>;
  revoke(shop: string): Promise<void>;
}

/** The token is bound to its shop: copied onto another shop's row, it does not open. */
const tokenContext = (shop: string) => `shops|access_token_encrypted|${shop}`;

export function shopTokens(db: Kysely<Database>, keyring: Keyring): ShopTokens {
  return {
    async save(shop, accessToken, scope) {
      const encrypted = keyring.encrypt(accessToken, tokenContext(shop));
      await db
        .insertInto('shops')
        .values({ shop, access_token_encrypted: encrypted, scope, installed_at: nowIso(), uninstalled_at: null })
        .onConflict((oc) => oc.column('shop').doUpdateSet({ access_token_encrypted: encrypted, scope, uninstalled_at: null }))
        .execute();
    },
    async get(shop) {
      const row = await db.selectFrom('shops').select('access_token_encrypted').where('shop', '=', shop).executeTakeFirst();
      return row?.access_token_encrypted ? keyring.decrypt(row.access_token_encrypted, tokenContext(shop)) : null;
    },
    async revoke(shop) {
      await db.updateTable('shops').set({ access_token_encrypted: null, uninstalled_at: nowIso() }).where('shop', '=', shop).execute();
    },
  };
}
