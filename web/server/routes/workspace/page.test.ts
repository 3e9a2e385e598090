import { describe, expect, it } from 'vitest';
import { workspacePageRoutes } from './page.js';

/** The workspace page's one difference between the modes: who supplies session tokens (App Bridge or its dev stand-in). */
describe('the workspace page', () => {
  const page = async (options: Parameters<typeof workspacePageRoutes>[0]) => (await workspacePageRoutes(options).request('/')).text();

  it('in production loads App Bridge from Shopify and never a dev script, even if one is named', async () => {
    const html = await page({ apiKey: 'key-1', local: false, appBridgeStandIn: '/dev/app-bridge.js' });
    expect(html).toContain('<meta name="shopify-api-key" content="key-1">');
    expect(html).toContain('src="https://cdn.shopify.com/shopifycloud/app-bridge.js"');
    expect(html).not.toContain('/dev/');
    expect(html).toContain('src="/app/assets/workspace.js"');
  });

  it("in local mode loads the dev parts' stand-in before the workspace, and not App Bridge", async () => {
    const html = await page({ apiKey: 'key-1', local: true, appBridgeStandIn: '/dev/app-bridge.js' });
    expect(html).not.toContain('cdn.shopify.com');
    expect(html.indexOf('src="/dev/app-bridge.js"')).toBeGreaterThan(0);
    expect(html.indexOf('src="/dev/app-bridge.js"')).toBeLessThan(html.indexOf('src="/app/assets/workspace.js"'));
  });
});
