import { Hono } from 'hono';
import type { Logger } from 'pino';
import { expectedFailure } from './errors.js';

/**
 * The one place where errors become HTTP responses: an HttpError, or a domain failure (core/errors.ts), is an expected
 * answer (4xx with a reason); anything else is a bug or an outage, logged without request bodies or the error's message
 * (logger.ts), and answered 500 without details.
 */
export function createHttpApp(log: Logger) {
  const app = new Hono();
  app.onError((error, c) => {
    const expected = expectedFailure(error);
    if (expected) return c.json(expected.toJSON(), expected.status, expected.headers);
    log.error({ err: error, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal_error' }, 500);
  });
  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  return app;
}
