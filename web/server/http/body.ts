import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from './errors.js';

export const MAX_BODY_BYTES = 16 * 1024;

export type BodyFormat = 'json' | 'form';

export interface ParsedBody {
  format: BodyFormat;
  fields: Record<string, unknown>;
}

/**
 * The Node request under a Hono context served by @hono/node-server (`c.env.incoming`), while nothing has read its
 * body yet; undefined otherwise (app.request() in tests, a request forwarded in process by the proxy emulator).
 */
export function unreadIncoming(env: unknown): IncomingMessage | undefined {
  const stream = nodeIncoming(env);
  return !stream || stream.readableDidRead || stream.readableEnded || stream.destroyed ? undefined : stream;
}

function nodeIncoming(env: unknown): IncomingMessage | undefined {
  const incoming = typeof env === 'object' && env !== null && 'incoming' in env ? env.incoming : undefined;
  return typeof incoming === 'object' && incoming !== null && 'headersDistinct' in incoming ? (incoming as IncomingMessage) : undefined;
}

/**
 * A request's headers, read from the Node request when there is one: `request.headers` on @hono/node-server builds a
 * fetch Headers object from every raw header (validated, lower-cased), which with its lookups took about 3% of the
 * intake's CPU under load. A repeated header's values are joined with ", ", as fetch's Headers joins them.
 */
export function headersOf(request: Request, env: unknown): Pick<Headers, 'get'> {
  const incoming = nodeIncoming(env);
  if (!incoming) return request.headers;
  return {
    get: (name: string) => {
      const values = incoming.headersDistinct[name.toLowerCase()];
      return values ? values.join(', ') : null;
    },
  };
}

/**
 * Reads at most `limit` bytes, counting as they arrive, so a lying or missing Content-Length cannot get past.
 * Given the Node request (unreadIncoming), it reads the socket's chunks directly: asking the Request for its body
 * makes @hono/node-server build a full fetch Request (an AbortController, a web stream over the socket), which cost
 * more than a tenth of the intake's CPU time under load (bench/intake.ts, profiled).
 */
export async function readCapped(request: Request, limit = MAX_BODY_BYTES, incoming?: IncomingMessage): Promise<Uint8Array> {
  const declared = Number((incoming ? incoming.headers['content-length'] : request.headers.get('content-length')) ?? '0');
  if (declared > limit) throw tooLarge(limit);
  if (incoming) return readIncoming(incoming, limit);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  // Inline listeners, left attached (the request is done with once this settles): named ones cost a property
  // definition each under tsx, a visible share of the intake's time for five closures a request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    incoming.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.byteLength;
      if (size > limit) {
        // The rest is left unread: the server drains or closes the connection once the 413 is sent.
        settled = true;
        incoming.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    incoming.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    incoming.on('error', (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    incoming.on('close', () => {
      if (settled) return;
      settled = true;
      reject(new Error('the client closed the connection before the body ended'));
    });
  });
}

const tooLarge = (limit: number) => new HttpError(413, 'body_too_large', `The body may be at most ${limit} bytes.`);

export function bodyFormat(contentType: string | null): BodyFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  throw new HttpError(415, 'unsupported_media_type', 'Send application/json or application/x-www-form-urlencoded.');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (typeof value === 'object' && value !== null) return Object.entries(value).every(([key, v]) => !LONE_SURROGATE.test(key) && wellFormed(v));
  return true;
}

export function parseBody(format: BodyFormat, bytes: Uint8Array): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest('invalid_encoding', 'The body must be UTF-8.');
  }
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw badRequest('malformed_json', 'The body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badRequest('malformed_json', 'The body must be a JSON object.');
    }
    // A \uD800-style escape can name half a character, which is not text: stored, it becomes U+FFFD, which the form
    // path refuses. Only a body that spells such an escape is walked, so the usual post pays one regex test.
    if (SURROGATE_ESCAPE.test(text) && !wellFormed(value)) throw badRequest('invalid_encoding', 'The body must be UTF-8 text (a lone surrogate is not).');
    return { format, fields: value as Record<string, unknown> };
  }
  const params = new URLSearchParams(text);
  const fields: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1) throw badRequest('repeated_field', `The field ${key.slice(0, 64)} was sent more than once.`);
    // URLSearchParams turns invalid percent-escapes into U+FFFD rather than failing; treat that as bad encoding.
    if (values[0]?.includes('\uFFFD') || key.includes('\uFFFD')) throw badRequest('invalid_encoding', 'The body must be UTF-8.');
    fields[key] = values[0];
  }
  return { format, fields };
}
