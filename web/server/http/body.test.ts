import { request as httpRequest } from 'node:http';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { headersOf, parseBody, readCapped, unreadIncoming } from './body.js';

/**
 * Served by @hono/node-server, readCapped reads the Node request's chunks itself (body.ts): the same limit must hold
 * there, whether or not the client declares a length, and a body something else already read is not read again.
 */
describe('readCapped over real HTTP', () => {
  let server: ServerType;
  let port = 0;
  const paths: string[] = [];
  beforeAll(async () => {
    const app = new Hono();
    app.onError((error, c) => (error instanceof HttpError ? c.json(error.toJSON(), error.status) : c.json({ error: String(error) }, 500)));
    app.post('/read', async (c) => {
      paths.push(unreadIncoming(c.env) ? 'node' : 'request');
      return c.text(new TextDecoder().decode(await readCapped(c.req.raw, 64, unreadIncoming(c.env))));
    });
    // Something read the body first: readCapped must not wait on the spent Node stream.
    app.post('/read-twice', async (c) => {
      const first = await c.req.text();
      paths.push(unreadIncoming(c.env) ? 'node' : 'request');
      return c.text(`${first}|${new TextDecoder().decode(await readCapped(c.req.raw, 64, unreadIncoming(c.env))).length}`);
    });
    // What headersOf reads from the Node request, next to what fetch's Headers says, for the same names.
    app.get('/headers', (c) => {
      const names = ['x-forwarded-for', 'X-Custom', 'accept', 'content-type', 'absent'];
      const fast = headersOf(c.req.raw, c.env);
      return c.json({ fast: names.map((n) => fast.get(n)), fetch: names.map((n) => c.req.raw.headers.get(n)), node: fast !== c.req.raw.headers });
    });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  /** Sends the chunks one by one, chunked (no Content-Length) unless `length` is given. */
  const send = (path: string, chunks: string[], length?: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: length === undefined ? {} : { 'content-length': String(length) } },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });

  it('reads a body sent in several chunks, from the Node request', async () => {
    paths.length = 0;
    expect(await send('/read', ['hello ', 'wörld'])).toEqual({ status: 200, body: 'hello wörld' });
    expect(await send('/read', ['x'.repeat(20)], 20)).toEqual({ status: 200, body: 'x'.repeat(20) });
    expect(paths).toEqual(['node', 'node']);
  });

  it('refuses with 413 a chunked body over the limit, and a declared length over it', async () => {
    const chunked = await send('/read', ['x'.repeat(40), 'y'.repeat(40)]);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ error: 'body_too_large' });
    expect((await send('/read', ['x'.repeat(10)], 100)).status).toBe(413);
    // The server goes on answering.
    expect(await send('/read', ['ok'])).toEqual({ status: 200, body: 'ok' });
  });

  it("reads headers from the Node request as fetch's Headers reads them, repeated ones joined", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/headers',
          agent: false,
          headers: [
            'Host',
            `127.0.0.1:${port}`,
            'X-Forwarded-For',
            '10.0.0.1',
            'x-forwarded-for',
            ' 203.0.113.9 ',
            'X-Custom',
            'a',
            'x-custom',
            'b',
            'Accept',
            'application/json',
          ],
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const { fast, fetch, node } = JSON.parse(answer) as { fast: unknown[]; fetch: unknown[]; node: boolean };
    expect(node).toBe(true);
    expect(fast).toEqual(fetch);
    expect(fast[0]).toBe('10.0.0.1, 203.0.113.9');
  });

  it('falls back to the Request when the body was already read', async () => {
    paths.length = 0;
    const answer = await send('/read-twice', ['abc']);
    expect(paths).toEqual(['request']);
    // The Request's body is spent and says so (a bug in the caller, hence 500) rather than waiting on the Node stream.
    expect(answer.status).toBe(500);
  });
});

describe('JSON text', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  it('takes a character written as a surrogate pair escape, and refuses half of one', () => {
    expect(parseBody('json', bytes('{"name":"Ana \\ud83d\\ude00"}')).fields).toEqual({ name: 'Ana 😀' });
    expect(() => parseBody('json', bytes('{"name":"Ana \\ud83d"}'))).toThrow(/invalid_encoding/);
    expect(() => parseBody('json', bytes('{"tags":["ok","\\ude00"]}'))).toThrow(/invalid_encoding/);
  });
});
