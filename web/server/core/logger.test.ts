import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { jsonPost, startTestApp } from '../../../tests/helpers/runtime.js';
import { createLogger, errorForLog } from './logger.js';

const EMAIL = 'anna.shopper@example.com';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

class ValueError extends Error {
  constructor(value: string) {
    super(`cannot decrypt "${value}"`);
    this.name = 'ValueError';
  }
}

describe('logs never carry messages built from input', () => {
  it('keeps the frames of an error a call site already passed through errorForLog (the serializer sees it again)', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    log.error({ error: errorForLog(new ValueError(EMAIL)) }, 'worker duty failed');
    const line = JSON.parse(out.text()) as { error: { name: string; frames: string[] } };
    expect(line.error.name).toBe('ValueError');
    expect(line.error.frames.length).toBeGreaterThan(0);
    expect(out.text()).not.toContain(EMAIL);
  });

  it("keeps an error's name, code and stack frames, never its message, however it is logged", () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    const error = Object.assign(new ValueError(EMAIL), { code: 'ERR_BAD_VALUE', detail: `Key (email)=(${EMAIL}) already exists.` });
    log.error({ err: error, job: 'j1' }, 'sync job crashed');
    log.error(error);
    log.error({ err: new Error(`outer ${EMAIL}`, { cause: error }) }, 'wrapped');
    log.warn({ err: `plain text ${EMAIL}` }, 'stringified');
    const text = out.text();
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain('cannot decrypt');
    const first = JSON.parse(text.split('\n')[0]!) as { err: { name: string; code: string; frames: string[] }; msg: string };
    expect(first.msg).toBe('sync job crashed');
    expect(first.err.name).toBe('ValueError');
    expect(first.err.code).toBe('ERR_BAD_VALUE');
    expect(first.err.frames.length).toBeGreaterThan(0);
    expect(first.err.frames[0]).toMatch(/^at .*logger\.test\.ts/);
    const third = JSON.parse(text.split('\n')[2]!) as { err: { cause: { name: string } } };
    expect(third.err.cause.name).toBe('ValueError');
  });

  it("the running app logs an unhandled error carrying a shopper's email without the email", async () => {
    const out = capture();
    const t = (await startTestApp('sqlite', {}, pino({ level: 'info' }, out.stream)))!;
    try {
      t.runtime.app.post('/__test/throws', async (c) => {
        const body = await c.req.json<{ email: string }>();
        throw new ValueError(body.email);
      });
      const response = await t.runtime.app.request('/__test/throws', jsonPost({ email: EMAIL }));
      expect(response.status).toBe(500);
      const text = out.text();
      expect(text).toContain('unhandled error');
      expect(text).toContain('ValueError');
      expect(text).not.toContain(EMAIL);
    } finally {
      await t.close();
    }
  });
});
