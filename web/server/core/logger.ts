import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * An error as the logs keep it: its name, its code when it has one of the shape system and driver errors use
 * (`ECONNRESET`, `23505`, `SQLITE_BUSY`), its stack frames and its cause, the same way down. Never the message, nor
 * the first line of the stack, which repeats it: messages are built from values (a driver quotes the row it refused,
 * a parser the text it could not read), and those values are shoppers' data. The frames say where it happened.
 */
export function errorForLog(value: unknown, depth = 0): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return { name: typeof value };
  const error = value as { name?: unknown; code?: unknown; stack?: unknown; cause?: unknown; frames?: unknown };
  // Already in this shape (a call site passed errorForLog(e) and the serializer sees it again): keep its frames.
  if (Array.isArray(error.frames) && error.stack === undefined) return { ...(value as Record<string, unknown>) };
  const name = typeof error.name === 'string' && /^[A-Za-z_$][\w$.]{0,63}$/.test(error.name) ? error.name : 'Error';
  const code =
    (typeof error.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(error.code)) || (typeof error.code === 'number' && Number.isInteger(error.code))
      ? error.code
      : undefined;
  const frames =
    typeof error.stack === 'string'
      ? error.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .slice(0, 20)
          .map((line) => line.trim())
      : [];
  return {
    name,
    ...(code !== undefined ? { code } : {}),
    frames,
    ...(error.cause !== undefined && depth < 3 ? { cause: errorForLog(error.cause, depth + 1) } : {}),
  };
}

export const LOG_SERIALIZERS = { err: errorForLog, error: errorForLog };

/** The app's serializers on any logger handed to the runtime (a test's, an embedding host's). */
export const withSafeErrors = (log: Logger): Logger => log.child({}, { serializers: LOG_SERIALIZERS });

/**
 * Structured logs. Handlers log ids, shops and outcomes only; errors go through errorForLog; these paths are also
 * redacted in case a payload ever slips into a log call, so personal data does not reach the logs.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      serializers: LOG_SERIALIZERS,
      hooks: {
        // pino uses an error's message as the log line's message when none is given; give the error's name instead.
        logMethod(args, method) {
          const [first] = args;
          if (args.length === 1 && typeof first === 'object' && first !== null) {
            const error = first instanceof Error ? first : (first as { err?: unknown }).err;
            if (error !== undefined) return method.apply(this, [first instanceof Error ? { err: first } : first, errorForLog(error).name as string]);
          }
          return method.apply(this, args);
        },
      },
      redact: {
        paths: [
          'email',
          'phone',
          'first_name',
          'last_name',
          'message',
          '*.email',
          '*.phone',
          '*.first_name',
          '*.last_name',
          '*.message',
          'req.headers.authorization',
          'accessToken',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
