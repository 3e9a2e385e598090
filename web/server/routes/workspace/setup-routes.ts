import { Hono } from 'hono';
import type { SetupStatus } from '../../../../schema/workspace-api.js';
import { BLOCK_HANDLES, type ThemeSetupLookup } from '../../shopify/theme-setup.js';
import type { StaffEnv } from './roles.js';

/**
 * GET /api/setup: the workspace's setup card. Shopify's theme editor deep links that add the contact block to a page
 * template (`addAppBlockId`) and turn the embed on (`activateAppId`), each `<client id>/<block handle>`, and whether
 * the live theme already has them (read through the Admin API; `live: null` when Shopify cannot answer now, so the
 * card shows the links without claiming anything). Every staff role may see it: it holds nothing about shoppers.
 */
export function setupRoutes(deps: { clientId: string; themeSetup: ThemeSetupLookup }) {
  const app = new Hono<StaffEnv>();
  app.get('/', async (c) => {
    const shop = c.get('session').shop;
    const editor = `https://${shop}/admin/themes/current/editor`;
    const block = new URLSearchParams({ template: 'page', addAppBlockId: `${deps.clientId}/${BLOCK_HANDLES.block}`, target: 'newAppsSection' });
    const embed = new URLSearchParams({ context: 'apps', template: 'index', activateAppId: `${deps.clientId}/${BLOCK_HANDLES.embed}` });
    const live = await deps.themeSetup(shop);
    const body: SetupStatus = {
      links: { block: `${editor}?${block.toString()}`, embed: `${editor}?${embed.toString()}` },
      live: live.ok ? { theme: live.theme, block: live.block, embed: live.embed } : null,
    };
    return c.json(body);
  });
  return app;
}
