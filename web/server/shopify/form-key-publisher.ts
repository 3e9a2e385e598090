import { FORM_KEY_METAFIELD, formKey } from '../core/form-key.js';
import type { AdminClient } from './admin-client.js';
import { CURRENT_APP_INSTALLATION, METAFIELDS_SET } from './operations.js';

/**
 * Writes the shop's form key as an app-data metafield on the app installation, where the theme block reads it
 * (`app.metafields.contact_capture.form_key`) to sign the merchant's tags. Called when a shop is installed.
 */
export async function publishFormKey(client: AdminClient, shop: string, accessToken: string, apiSecret: string): Promise<void> {
  const installation = await client.request<{ currentAppInstallation: { id: string } }>(shop, accessToken, CURRENT_APP_INSTALLATION, {});
  if (!installation.ok) throw new Error(`Could not read the app installation (${installation.kind})`);
  const result = await client.request<{ metafieldsSet: { userErrors: { message: string }[] } }>(shop, accessToken, METAFIELDS_SET, {
    metafields: [
      {
        ownerId: installation.data.currentAppInstallation.id,
        namespace: FORM_KEY_METAFIELD.namespace,
        key: FORM_KEY_METAFIELD.key,
        type: 'single_line_text_field',
        value: formKey(apiSecret, shop),
      },
    ],
  });
  if (!result.ok || result.data.metafieldsSet.userErrors.length) throw new Error('Could not publish the form key metafield');
}
