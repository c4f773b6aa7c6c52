import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, defaultLogFormat, formatPretty, type LogFormat } from '../../src/log.js';

function capture(format: LogFormat): { log: ReturnType<typeof createLogger>; text: () => string } {
  let out = '';
  const sink = new Writable({ write(chunk, _enc, done) { out += chunk.toString(); done(); } });
  return { log: createLogger('info', sink, format), text: () => out };
}

describe('log formats', () => {
  test('pretty: time, level, message and fields on one line, without pid/hostname/service', () => {
    const { log, text } = capture('pretty');
    log.warn({ route: 'orders', reason: 'agreement below 0.9' }, 'route demoted');
    assert.match(text(), /^\d\d:\d\d:\d\d\.\d{3} WARN  route demoted route=orders reason="agreement below 0\.9"\n$/);
    assert.ok(!text().includes('hostname') && !text().includes('pid=') && !text().includes('service='));
  });

  test('pretty: an error shows its code and message, and its stack for error and fatal', () => {
    const line = JSON.stringify({ level: 60, time: 0, msg: 'failed to start', err: { message: 'listen EADDRINUSE', code: 'EADDRINUSE', stack: 'Error: listen EADDRINUSE\n    at listen (net.js:1:1)' } });
    assert.equal(formatPretty(line), '00:00:00.000 FATAL failed to start code=EADDRINUSE error="listen EADDRINUSE"\n    at listen (net.js:1:1)\n');
  });

  test('pretty: colours only when asked', () => {
    const line = JSON.stringify({ level: 30, time: 0, msg: 'hi' });
    assert.ok(!formatPretty(line, false).includes('\x1b['));
    assert.ok(formatPretty(line, true).includes('\x1b[32mINFO'));
  });

  for (const format of ['json', 'pretty'] as const) {
    test(`${format}: tokens and authorization/cookie headers stay redacted`, () => {
      const { log, text } = capture(format);
      log.info({ token: 'tok-1', admin: { token: 'tok-2' }, req: { headers: { authorization: 'Bearer tok-3', cookie: 'sid=tok-4' } } }, 'request');
      for (const secret of ['tok-1', 'tok-2', 'tok-3', 'tok-4']) assert.ok(!text().includes(secret), `${secret} in ${text()}`);
      assert.ok(text().includes('[redacted]'));
    });
  }

  test('json stays one JSON object per line', () => {
    const { log, text } = capture('json');
    log.info({ a: 1 }, 'x');
    assert.equal((JSON.parse(text()) as { msg: string }).msg, 'x');
  });

  test('default format: pretty on a terminal, json otherwise', () => {
    assert.equal(defaultLogFormat({ isTTY: true }), 'pretty');
    assert.equal(defaultLogFormat({ isTTY: false }), 'json');
    assert.equal(defaultLogFormat({}), 'json');
  });
});
