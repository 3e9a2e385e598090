import { configOrExit, startServer } from './server.js';

/**
 * Production entry (`npm run serve`, `node dist/web/server/main.js`): the app's own routes only. Local mode, with the
 * storefront preview and the Shopify emulators, starts from dev/main.ts (`npm start`); the production build holds no
 * dev code, so it cannot start it.
 */
const config = configOrExit();
if (config.mode !== 'production') {
  console.error('MODE: this entry runs production mode only (MODE=production); local mode starts with `npm start` (dev/main.ts).');
  process.exit(1);
}
await startServer(config);
