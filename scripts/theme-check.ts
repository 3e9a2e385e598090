import { Severity, check } from '@shopify/theme-check-node';
import { EXTENSION_DIR } from '../web/server/core/paths.js';

/** Theme Check on the extension, as `shopify app deploy` runs it; fails on any error (the CLI build only prints). */
const offenses = await check(EXTENSION_DIR, 'theme-check:theme-app-extension');
for (const o of offenses) console.log(`${Severity[o.severity]} ${o.uri.replace(/^file:\/\//, '')} ${o.check}: ${o.message}`);
const errors = offenses.filter((o) => o.severity === Severity.ERROR).length;
console.log(`Theme Check: ${offenses.length} offences, ${errors} errors`);
process.exit(errors ? 1 : 0);
