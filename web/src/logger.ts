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

/**
 * An error as the log may carry it: its name and stack frames, never its message, which can quote the input that
 * caused it (a driver repeating a value, a parser its text).
 */
export function errorForLog(error: unknown): { name: string; frames: string[] } {
  if (!(error instanceof Error)) return { name: typeof error, frames: [] };
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim()).slice(0, 12);
  return { name: error.name, frames };
}
