import pino, { type Logger } from 'pino';

/**
 * Structured logs. Handlers log ids, shops and outcomes only; these paths are also redacted in case a payload ever
 * slips into a log call, so personal data does not reach the logs.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['email', 'phone', 'first_name', 'last_name', 'message', '*.email', '*.phone', '*.first_name', '*.last_name', '*.message', 'req.headers.authorization', 'accessToken'],
      censor: '[redacted]',
    },
  });
}
