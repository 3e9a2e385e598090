import type { Logger } from 'pino';
import { afterEach } from 'vitest';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { formKey, signOptIn } from '../../web/server/core/form-key.js';
import type { TestEngine } from './databases.js';
import { SECRET, SHOP, type TestApp, startTestApp } from './runtime.js';

/**
 * An app whose mail goes over real SMTP to a local catcher (dev/mail-catcher.ts). Call it in a `describe`: it returns
 * the starter, and closes both after each test. The starter answers null where the engine is not reachable.
 */
export function withMailApp(engine: TestEngine): (env?: Record<string, string>, log?: Logger) => Promise<{ app: TestApp; catcher: MailCatcher } | null> {
  let app: TestApp | null = null;
  let catcher: MailCatcher | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
    await catcher?.stop();
    catcher = null;
  });
  return async (env = {}, log) => {
    const started = new MailCatcher();
    catcher = started;
    app = await startTestApp(engine, { SMTP_URL: await started.start(0), ...env }, log);
    return app ? { app, catcher: started } : null;
  };
}

/** The block's double opt-in setting as the Liquid signs it, for its form, with the test shop's form key. */
export const doubleOptInFields = (days = 7, formId = '') => ({
  double_opt_in: `doi:${days}`,
  double_opt_in_sig: signOptIn(formKey(SECRET, SHOP), formId, `doi:${days}`),
});

/** A form post as the no-JS block sends it. */
export const formPost = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
