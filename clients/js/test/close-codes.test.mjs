// What the client does on each close code, each caused by a real node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CloseCode } from '../switchboard.js';
import {
  AUTH_URL, CLUSTER_URLS, FAST, OPEN_URL, apiKeyHeader, channel, client, follow, next, post, publish,
  quietWindow, record, spyWebSocket, until, userToken,
} from './helpers.mjs';

test('4401 (token refused): getToken() gives a fresh token and the client reconnects', async (t) => {
  const tokens = ['not-a-jwt', userToken('u4401')];
  let asked = 0;
  const sb = client(t, AUTH_URL(), { transport: 'ws', getToken: async () => tokens[asked++] });
  const events = record(sb);
  const connected = await next(sb, 'connected');
  assert.equal(connected.user, 'u4401');
  assert.equal(asked, 2, 'asked again after the refusal');
  const lost = events.find((e) => e.event === 'disconnected');
  assert.equal(lost.code, CloseCode.UNAUTHORIZED);
});

test('4401 without getToken(): the client stops and says why', async (t) => {
  const sb = client(t, AUTH_URL(), { transport: 'ws', token: 'not-a-jwt' });
  const events = record(sb);
  const closed = await next(sb, 'closed');
  assert.equal(closed.code, CloseCode.UNAUTHORIZED);
  assert.equal(events.find((e) => e.event === 'error').code, 'unauthorized');
  await quietWindow();
  assert.equal(events.filter((e) => e.event === 'connecting').length, 1, 'no reconnect');
});

test('4403 (the user was disconnected): the client stops', async (t) => {
  const sb = client(t, AUTH_URL(), { transport: 'ws', getToken: async () => userToken('u4403') });
  const events = record(sb);
  await next(sb, 'connected');
  const stopped = next(sb, 'closed');
  const reply = await post(AUTH_URL(), '/api/disconnect', { user: 'u4403' }, apiKeyHeader());
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const closed = await stopped;
  assert.equal(closed.code, CloseCode.REVOKED);
  assert.equal(events.find((e) => e.event === 'error').code, 'forbidden');
  await quietWindow();
  assert.equal(events.filter((e) => e.event === 'connecting').length, 1, 'no reconnect');
});

test('4408 (the server heard no pong): reconnect with backoff, nothing lost', async (t) => {
  const spy = spyWebSocket();
  const sb = client(t, OPEN_URL(), { transport: 'ws', WebSocket: spy.WebSocket });
  const ch = channel('', 'c4408');
  const got = follow(sb, ch);
  await until(() => got.subscribed.length === 1, 'subscribed');
  spy.dropPongs = true;
  const lost = await next(sb, 'disconnected');
  const back = next(sb, 'connected');
  spy.dropPongs = false;
  assert.equal(lost.code, CloseCode.TIMEOUT);
  assert.ok(lost.delayMs < FAST.baseMs, `backoff: ${lost.delayMs}`);
  const offset = await publish(OPEN_URL(), ch, { n: 1 });
  await back;
  await until(() => got.offsets.includes(offset), 'the message published while away');
});

test('4429 (flooding): the client backs off longer', async (t) => {
  const sb = client(t, OPEN_URL(), { transport: 'ws' });
  const ch = channel('', 'c4429');
  await next(sb, 'connected');
  const publishes = [];
  const lost = next(sb, 'disconnected');
  // far over limits.messagesPerSecond: rate_limited errors, then the connection is closed
  for (let n = 0; n < 2000 && sb.state === 'connected'; n++) publishes.push(sb.publish(ch, { n }).catch((e) => e));
  const closed = await lost;
  const back = next(sb, 'connected');
  assert.equal(closed.code, CloseCode.TOO_MANY);
  assert.ok(closed.delayMs >= FAST.rateLimitedMs, `waits at least rateLimitedMs: ${closed.delayMs}`);
  const outcomes = await Promise.all(publishes);
  const codes = new Set(outcomes.filter((o) => o instanceof Error).map((e) => e.code));
  assert.ok([...codes].every((c) => c === 'connection_lost' || c === 'rate_limited'), [...codes].join());
  await back;
});

test('1003 (a binary frame): reported, and the client stops', async (t) => {
  const spy = spyWebSocket();
  const sb = client(t, OPEN_URL(), { transport: 'ws', WebSocket: spy.WebSocket });
  const events = record(sb);
  await next(sb, 'connected');
  spy.sockets[0].send(new Uint8Array([1, 2, 3]));
  const closed = await next(sb, 'closed');
  assert.equal(closed.code, CloseCode.UNSUPPORTED_DATA);
  assert.ok(events.some((e) => e.event === 'error' && /1003/.test(e.message)));
  await quietWindow();
  assert.equal(events.filter((e) => e.event === 'connecting').length, 1, 'no reconnect');
});

test('1009 (a frame over limits.maxFrameBytes): reported, and the client stops', async (t) => {
  const sb = client(t, OPEN_URL(), { transport: 'ws' });
  const events = record(sb);
  await next(sb, 'connected');
  const big = sb.publish(channel('', 'c1009'), { text: 'x'.repeat(70000) }).catch((e) => e);
  const closed = await next(sb, 'closed');
  assert.equal(closed.code, CloseCode.TOO_BIG);
  assert.equal(events.find((e) => e.event === 'error').code, 'too_large');
  assert.equal((await big).code, 'connection_lost', 'the publish never got an answer');
});

test('1001 (drain): the client moves at once to the next node, nothing lost', async (t) => {
  const [a, b] = CLUSTER_URLS();
  const sb = client(t, [a, b], { transport: 'ws' });
  const events = record(sb);
  const ch = channel('', 'drain');
  const got = follow(sb, ch);
  const first = await next(sb, 'connected');
  assert.equal(first.node, 'node-a');
  await until(() => got.subscribed.length === 1, 'subscribed');
  const published = [];
  for (let n = 0; n < 5; n++) published.push(await publish(b, ch, { n }));
  await until(() => got.offsets.length === 5, 'the first messages');

  const moved = next(sb, 'connected');
  const drain = await post(a, '/api/drain', {});
  assert.equal(drain.status, 202);
  for (let n = 5; n < 10; n++) published.push(await publish(b, ch, { n }));
  const second = await moved;
  assert.equal(second.node, 'node-b');
  const lost = events.find((e) => e.event === 'disconnected');
  assert.equal(lost.code, CloseCode.GOING_AWAY);
  assert.equal(lost.delayMs, 0, 'at once');
  for (let n = 10; n < 15; n++) published.push(await publish(b, ch, { n }));
  await until(() => got.offsets.length === 15, 'every message');
  assert.deepEqual(got.offsets, published);
});
