import { createHmac, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Liquid } from 'liquidjs';
import { EXTENSION_DIR } from '../web/server/core/paths.js';
import type { ShopData } from './admin-emulator/store.js';
import { DEV_CUSTOMERS, layout } from './storefront-preview.js';
import { defaultSettings, readBlock } from './theme-liquid.js';

/**
 * The cart page of the local storefront, with the cart-fields block rendered from the real Liquid inside a theme-like
 * cart form (`id="cart"`, as in Dawn). Posting the form saves the cart attributes as Shopify's /cart does; "Check out"
 * leads to a stand-in checkout that places the order: it writes the order into the Admin API emulator and sends the
 * app a signed orders/create webhook, so the whole path runs locally. `?settings=` (JSON) sets block settings.
 */
const ASSET_BASE = '/extensions/contact-form/assets/';
const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export interface CartPreviewOptions {
  engine: Liquid;
  shop: string;
  apiSecret: string;
  emulatorData: () => ShopData | undefined;
  /** Delivers a request to the app, as Shopify would over the network. */
  deliver: (request: Request) => Promise<Response>;
}

export function cartPreview(options: CartPreviewOptions) {
  const app = new Hono();
  // One dev cart per process, like a single shopper's session.
  let attributes: Record<string, string> = {};
  let settings: Record<string, unknown> = {};

  app.get('/cart', async (c) => {
    const query = c.req.query('settings');
    if (query) settings = JSON.parse(query) as Record<string, unknown>;
    const block = readBlock(EXTENSION_DIR, 'cart-fields');
    const html = String(
      await options.engine.parseAndRender(
        block.liquid,
        { block: { id: 'cartpreview', settings: { ...defaultSettings(block.schema), ...settings }, shopify_attributes: '' } },
        { globals: { request: { locale: { iso_code: 'en' }, path: '/cart' }, cart: { attributes, item_count: 1 }, shop: { name: 'Élégance Parisienne' } } },
      ),
    );
    const body = `<h1>Your cart</h1>
<form action="/cart" method="post" id="cart">
  <table><caption class="visually-hidden">Items</caption><tr><th scope="row">Linen shirt, M</th><td>1 × €89.00</td></tr></table>
</form>
<section class="shopify-section">${html}</section>
<p><button type="submit" name="update" form="cart">Update</button> <button type="submit" name="checkout" id="checkout" form="cart">Check out</button></p>`;
    // As Shopify does with a block's schema: its stylesheet (none: the block inlines its styles) in the head, its script deferred.
    const head =
      (block.schema.stylesheet ? `<link rel="stylesheet" href="${ASSET_BASE}${block.schema.stylesheet}">` : '') +
      (block.schema.javascript ? `<script src="${ASSET_BASE}${block.schema.javascript}" defer></script>` : '');
    return c.html(layout('en', 'Cart – Élégance Parisienne', head, body).replace('LANG_LINKS', ''));
  });

  app.post('/cart', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const next: Record<string, string> = { ...attributes };
    // As Shopify's /cart: an attribute posted empty is removed; the last value of a repeated name wins.
    for (const [name, value] of form) {
      const key = /^attributes\[(.+)\]$/.exec(name)?.[1];
      if (!key) continue;
      if (value === '') delete next[key];
      else next[key] = value;
    }
    attributes = next;
    return c.redirect(form.has('checkout') ? '/checkout-preview' : '/cart', 303);
  });

  app.get('/cart.json', (c) => c.json({ attributes }));

  app.get('/checkout-preview', (c) => {
    const rows = Object.entries(attributes)
      .map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`)
      .join('');
    const body = `<h1>Checkout (local stand-in)</h1><p>Cart attributes carried to the order:</p><dl>${rows}</dl>
<form method="post" action="/checkout-preview"><button type="submit">Place order</button></form>`;
    return c.html(layout('en', 'Checkout – Élégance Parisienne', '', body).replace('LANG_LINKS', ''));
  });

  app.post('/checkout-preview', async (c) => {
    const data = options.emulatorData();
    const buyer = DEV_CUSTOMERS['7001']!;
    // Checkout makes (or finds) the customer and the order; then Shopify tells the app.
    let customer = data?.byEmail(buyer.email);
    if (data && !customer) customer = data.addCustomer({ firstName: buyer.first_name, lastName: buyer.last_name, email: buyer.email, locale: 'en' });
    const orderId = data ? data.newGid('Order').legacyId : Date.now();
    data?.orders.set(`gid://shopify/Order/${orderId}`, {
      id: `gid://shopify/Order/${orderId}`,
      email: buyer.email,
      customerId: customer?.id ?? null,
      checkoutToken: randomUUID().replace(/-/g, ''),
    });
    const payload = JSON.stringify({
      id: orderId,
      admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
      email: buyer.email,
      customer_locale: attributes.cc_locale ?? 'en',
      customer: customer ? { id: customer.legacyId, email: buyer.email, first_name: buyer.first_name, last_name: buyer.last_name } : null,
      note_attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
    });
    const response = await options.deliver(
      new Request('http://local/webhooks/orders/create', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': options.shop,
          'x-shopify-api-version': '2026-10',
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-hmac-sha256': createHmac('sha256', options.apiSecret).update(payload).digest('base64'),
        },
        body: payload,
      }),
    );
    attributes = {};
    const body = `<h1>Thank you!</h1><p>Order #${orderId} placed. The app answered the orders/create webhook with HTTP ${response.status}.</p><p id="order-id">gid://shopify/Order/${orderId}</p>`;
    return c.html(layout('en', 'Thank you – Élégance Parisienne', '', body).replace('LANG_LINKS', ''));
  });
  return app;
}
