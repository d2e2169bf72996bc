// The reconnect schedule: full-jitter exponential backoff, capped, reset after a stable
// connection; the delay each close code gets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Switchboard, CloseCode, backoffDelay, reconnectDelay } from '../switchboard.js';
import { OPEN_URL, WebSocket, next, record, startProxy, until } from './helpers.mjs';

const BACKOFF = { baseMs: 100, maxMs: 1000, stableMs: 10000, rateLimitedMs: 5000 };

test('backoffDelay is full jitter under a cap that doubles up to maxMs', () => {
  const caps = [100, 200, 400, 800, 1000, 1000, 1000];
  caps.forEach((cap, attempt) => {
    assert.equal(backoffDelay(attempt, BACKOFF, () => 0), 0, `attempt ${attempt}: the least`);
    assert.equal(backoffDelay(attempt, BACKOFF, () => 0.999999), cap - 1, `attempt ${attempt}: the most`);
    assert.equal(backoffDelay(attempt, BACKOFF, () => 0.5), cap / 2, `attempt ${attempt}: halfway`);
  });
  assert.equal(backoffDelay(5000, BACKOFF, () => 0.5), 500, 'no overflow after many attempts');
});

test('reconnectDelay: 1001 at once after a stable connection, 4429 longer, the rest backs off', () => {
  const half = () => 0.5;
  const rows = [
    ['drained after a stable connection', CloseCode.GOING_AWAY, 0, 0],
    ['drained again, right after', CloseCode.GOING_AWAY, 1, 100],
    ['flooding or slow', CloseCode.TOO_MANY, 0, 5050],
    ['flooding again', CloseCode.TOO_MANY, 3, 5400],
    ['network', CloseCode.ABNORMAL, 0, 50],
    ['heartbeat timeout', CloseCode.TIMEOUT, 2, 200],
    ['token refused', CloseCode.UNAUTHORIZED, 0, 50],
    ['SSE refused with 503', CloseCode.TRY_AGAIN_LATER, 4, 500],
  ];
  for (const [name, code, attempt, expected] of rows) {
    assert.equal(reconnectDelay(code, attempt, BACKOFF, half), expected, name);
  }
});

test('reconnects on that schedule while the node is unreachable, and starts over once connected', async (t) => {
  const proxy = await startProxy(OPEN_URL());
  t.after(() => proxy.close());
  proxy.refuseConnections = true;
  const sb = new Switchboard(proxy.url, {
    transport: 'ws', WebSocket, backoff: { ...BACKOFF, stableMs: 300 },
  });
  t.after(() => sb.close());
  const events = record(sb);
  const disconnects = () => events.filter((e) => e.event === 'disconnected');
  await until(() => disconnects().length >= 5, 'five failed attempts');
  proxy.refuseConnections = false;
  await next(sb, 'connected');

  const failed = disconnects().slice(0, 5);
  failed.forEach((e, i) => {
    assert.equal(e.attempt, i + 1, 'attempts counted in a row');
    assert.equal(e.code, CloseCode.ABNORMAL);
    const cap = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** i);
    assert.ok(e.delayMs >= 0 && e.delayMs < cap, `attempt ${i + 1}: ${e.delayMs} ms within [0, ${cap})`);
  });
  // each attempt waited its delay: the next one started no sooner
  for (const e of failed) {
    const retry = events.find((r) => r.event === 'connecting' && r.at >= e.at && events.indexOf(r) > events.indexOf(e));
    assert.ok(retry.at - e.at >= e.delayMs - 1, `waited ${retry.at - e.at} ms of ${e.delayMs}`);
  }

  // up for stableMs: the count starts over
  const connectedAt = events.findLast((e) => e.event === 'connected').at;
  await until(() => Date.now() > connectedAt + 300 + 50, 'the connection has been up backoff.stableMs');
  proxy.cut();
  const after = await next(sb, 'disconnected');
  assert.equal(after.attempt, 1, 'a stable connection resets the count');
  assert.ok(after.delayMs < BACKOFF.baseMs, `first delay again: ${after.delayMs}`);
  await next(sb, 'connected');
});
