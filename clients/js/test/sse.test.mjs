// Server-Sent Events: the same API over a stream plus the HTTP API, and 'auto' falling back to it
// when WebSocket upgrades do not get through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AUTH_URL, OPEN_URL, apiKeyHeader, channel, client, follow, get, next, publish, record, startProxy, until,
  userToken,
} from './helpers.mjs';

test('sse: a user publishes, reads history and presence over HTTP with their own token', async (t) => {
  const sb = client(t, AUTH_URL(), { transport: 'sse', getToken: async () => userToken('sse-user') });
  const ch = channel('chat', 'sse-user');
  const got = follow(sb, ch);
  const connected = await next(sb, 'connected');
  assert.equal(connected.transport, 'sse');
  await until(() => got.subscribed.length === 1, 'subscribed');
  assert.equal(sb.transport, 'sse');

  const offset = await sb.publish(ch, { text: 'over HTTP' });
  await until(() => got.offsets.includes(offset), 'its own message, over the stream');
  const page = await sb.history(ch);
  assert.deepEqual(page.messages.map((m) => [m.offset, m.publisher, m.data.text]),
    [[offset, 'sse-user', 'over HTTP']], 'published as the user');
  assert.deepEqual(await sb.presence(ch), [{ user: 'sse-user', connections: 1 }]);

  const rows = [
    ['server-only namespace', channel('feed', 'x'), { text: 'no' }, 'forbidden'],
    ['schema', ch, { nope: 1 }, 'invalid_payload'],
    ['namespace not configured', 'nope:x', 1, 'unknown_channel'],
  ];
  for (const [name, target, data, code] of rows) {
    const err = await sb.publish(target, data).catch((e) => e);
    assert.equal(err.code, code, `${name}: ${err.message}`);
  }
  const personal = await sb.history('user:someone-else').catch((e) => e);
  assert.equal(personal.code, 'forbidden', 'history follows subscribe rights');
});

test('sse: several channels in one stream, one more added, a refused one fails alone', async (t) => {
  const sb = client(t, AUTH_URL(), { transport: 'sse', getToken: async () => userToken('sse-multi') });
  const events = record(sb);
  const [a, b, c] = [channel('', 'multi-a'), channel('', 'multi-b'), channel('', 'multi-c')];
  const gotA = follow(sb, a);
  const gotB = follow(sb, b);
  const refused = follow(sb, 'user:someone-else');
  const unknown = follow(sb, 'nope:x');
  await until(() => gotA.subscribed.length === 1 && gotB.subscribed.length === 1, 'a and b subscribed');
  assert.equal(refused.errors[0]?.code, 'forbidden');
  assert.equal(unknown.errors[0]?.code, 'unknown_channel');
  assert.equal(refused.sub.state, 'failed');

  const offsetA = await publish(AUTH_URL(), a, { n: 1 }, apiKeyHeader());
  await until(() => gotA.offsets.includes(offsetA), 'a message on a');
  const gotC = follow(sb, c);
  await until(() => gotC.subscribed.length === 1, 'c subscribed');
  const published = [await publish(AUTH_URL(), b, { n: 2 }, apiKeyHeader()),
    await publish(AUTH_URL(), c, { n: 3 }, apiKeyHeader())];
  await until(() => gotB.offsets.length === 1 && gotC.offsets.length === 1, 'messages on b and c');
  assert.deepEqual([gotB.offsets[0], gotC.offsets[0]], published);
  assert.deepEqual(gotA.offsets, [offsetA], 'a resumed without a repeat');
  gotB.sub.unsubscribe();
  await publish(AUTH_URL(), b, { n: 4 }, apiKeyHeader());
  const lastA = await publish(AUTH_URL(), a, { n: 5 }, apiKeyHeader());
  await until(() => gotA.offsets.includes(lastA), 'a goes on');
  assert.equal(gotB.offsets.length, 1, 'nothing after unsubscribe');
  assert.equal(events.filter((e) => e.event === 'connected').length, 1, 'new streams are no reconnects');
});

test('sse: a replaced stream and a closed client let go of their connections, even after a GC', async (t) => {
  // Node's fetch may miss an abort after a GC (nodejs/undici#4627; always on Debian 12's Node 18):
  // the client cancels the stream's body as well
  assert.equal(typeof globalThis.gc, 'function', 'the runner starts node with --expose-gc');
  const sb = client(t, AUTH_URL(), { transport: 'sse', getToken: async () => userToken('sse-gone') });
  const [a, b] = [channel('chat', 'gone-a'), channel('chat', 'gone-b')];
  const gotA = follow(sb, a);
  await until(() => gotA.subscribed.length === 1, 'a subscribed');
  const connections = async () => (await get(AUTH_URL(), `/api/channels/${a}/presence`, apiKeyHeader()))
    .body.users.reduce((sum, u) => sum + u.connections, 0);
  assert.equal(await connections(), 1);

  globalThis.gc();
  const gotB = follow(sb, b); // a new stream for both channels replaces the first
  await until(() => gotB.subscribed.length === 1, 'b subscribed');
  await until(async () => await connections() === 1, 'the first stream closed');
  globalThis.gc();
  sb.close();
  await until(async () => await connections() === 0, 'the second stream closed');
});

test('auto: WebSocket upgrades refused mid-session, the client goes on over SSE, nothing lost', async (t) => {
  const proxy = await startProxy(OPEN_URL());
  t.after(() => proxy.close());
  const sb = client(t, proxy.url, { transport: 'auto' });
  const events = record(sb);
  const ch = channel('', 'fallback');
  const got = follow(sb, ch);
  assert.equal((await next(sb, 'connected')).transport, 'ws');
  await until(() => got.subscribed.length === 1, 'subscribed');
  const published = [];
  for (let n = 0; n < 5; n++) published.push(await publish(OPEN_URL(), ch, { n }));
  await until(() => got.offsets.length === 5, 'first messages over WebSocket');

  proxy.refuseUpgrades = true;
  const fellBack = next(sb, 'connected');
  proxy.cut();
  for (let n = 5; n < 10; n++) published.push(await publish(OPEN_URL(), ch, { n }));
  assert.equal((await fellBack).transport, 'sse');
  assert.ok(proxy.upgradesRefused >= 1);
  // its own publish goes over the HTTP API now
  published.push(await sb.publish(ch, { n: 10 }));
  for (let cut = 0; cut < 3; cut++) {
    const back = next(sb, 'connected');
    proxy.cut();
    published.push(await publish(OPEN_URL(), ch, { n: 11 + cut }));
    assert.equal((await back).transport, 'sse', 'stays on SSE');
  }
  await until(() => got.offsets.length === published.length, `${published.length} messages`);
  assert.deepEqual(got.offsets, published, 'once each, in order');
  assert.equal(events.filter((e) => e.event === 'disconnected').length, 4);
});

test('auto: with upgrades refused from the start, SSE from the start', async (t) => {
  const proxy = await startProxy(OPEN_URL());
  t.after(() => proxy.close());
  proxy.refuseUpgrades = true;
  const sb = client(t, proxy.url, { transport: 'auto' });
  const events = record(sb);
  const ch = channel('', 'sse-start');
  const got = follow(sb, ch);
  assert.equal((await next(sb, 'connected')).transport, 'sse');
  assert.equal(events.filter((e) => e.event === 'disconnected').length, 0, 'the fallback is no disconnect');
  const offset = await publish(OPEN_URL(), ch, { n: 0 });
  await until(() => got.offsets.includes(offset), 'a message');
});

test('sse: a channel subscribed while the stream opens joins it', async (t) => {
  const sb = client(t, OPEN_URL(), { transport: 'sse' });
  const first = follow(sb, channel('', 'opening-a'));
  const ch = channel('', 'opening-b');
  let late = null;
  // right after the stream's request went out
  sb.on('connecting', () => queueMicrotask(() => { late ??= follow(sb, ch); }));
  await next(sb, 'connected');
  await until(() => first.subscribed.length === 1 && late?.subscribed.length === 1, 'both subscribed');
  const offset = await publish(OPEN_URL(), ch, { n: 1 });
  await until(() => late.offsets.includes(offset), 'a message on the late channel');
});
