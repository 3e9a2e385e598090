import { configOrExit, startServer } from '../web/server/server.js';
import { APP_BRIDGE_STAND_IN, mountLocal } from './local.js';
import { MailCatcher } from './mail-catcher.js';
import { ACCOUNT_PREVIEW_PATH } from './account-stand-in/routes.js';

/**
 * Local mode's entry (`npm start`): the app plus the storefront preview and the Shopify emulators on one port.
 * MODE=production is refused here, so the emulators never run beside a real shop.
 */
const loaded = configOrExit();
if (loaded.mode !== 'local') {
  console.error('MODE: dev/main.ts runs local mode only; production starts with `npm run serve` (dist/web/server/main.js).');
  process.exit(1);
}
// Without SMTP_URL, every e-mail goes to an SMTP server in this process and shows at /dev/mail; with it, to that server.
const catcher = loaded.mail.smtpUrl ? undefined : new MailCatcher();
const config = catcher ? { ...loaded, mail: { ...loaded.mail, smtpUrl: await catcher.start() } } : loaded;
await startServer(config, {
  mountDev: mountLocal(undefined, catcher),
  appBridgeStandIn: APP_BRIDGE_STAND_IN,
  onListening: (base) =>
    console.log(
      [
        `Contact Capture (local mode) on ${base}`,
        `  Storefront preview   ${base}/   (French: ${base}/fr/)`,
        `  Cart page            ${base}/cart   (purchase questions block)`,
        `  Leads workspace      ${base}/app   (other roles: ?staff=manager, ?staff=viewer)`,
        `  App proxy emulator   ${base}/apps/contact-capture/*  ->  /proxy/*`,
        `  Customer account     ${base}${ACCOUNT_PREVIEW_PATH}   ("My data" as customer 7001; profile block: ?target=profile; ?locale=fr)`,
        `  Admin API emulator   ${base}/admin/api/2026-10/graphql.json  (shop ${config.devShop})`,
        `  Health, metrics      ${base}/healthz  ${base}/metrics`,
        catcher
          ? `  Local mailbox        ${base}/dev/mail   (SMTP ${config.mail.smtpUrl}; JSON: ${base}/dev/mail.json)`
          : `  E-mail               sent through SMTP_URL`,
        `  Database             ${config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`,
      ].join('\n'),
    ),
});
