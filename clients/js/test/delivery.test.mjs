// Delivery against a real node: every message once and in order across cuts, batch frames,
// publish results and errors, queued publishes, recovery that history cannot cover (WebSocket and
// SSE), and a connection that goes silent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwitchboardError } from '../switchboard.js';
import {
  OPEN_URL, channel, client, follow, next, publish, record, spyWebSocket, startProxy, until,
} from './helpers.mjs';

test('every message once and in order across cuts, with publishes during the cuts', async (t) => {
  const proxy = await startProxy(OPEN_URL());
  t.after(() => proxy.close());
  const sb = client(t, proxy.url, { transport: 'ws' });
  const events = record(sb);
  const ch = channel('', 'cuts');
  const got = follow(sb, ch);
  await until(() => got.subscribed.length === 1, 'subscribed');

  const published = [];
  let n = 0;
  for (let cut = 1; cut <= 5; cut++) {
    for (let i = 0; i < 5; i++) published.push(await publish(OPEN_URL(), ch, { n: n++ }));
    proxy.cut();
    // while the client is away
    for (let i = 0; i < 5; i++) published.push(await publish(OPEN_URL(), ch, { n: n++ }));
    await until(() => events.filter((e) => e.event === 'connected').length > cut, `reconnected after cut ${cut}`);
  }
  await until(() => got.offsets.length >= published.length, `${published.length} messages`);
  assert.deepEqual(got.offsets, published, 'each offset once, in publish order');
  assert.deepEqual(got.messages, [...Array(n).keys()]);
  assert.equal(got.subscribed.filter((s) => s.resubscribed && s.recovered === true).length, 5,
    'every resubscribe recovered');
});

test('batch frames (several messages in one frame) are unpacked', async (t) => {
  const spy = spyWebSocket();
  const sb = client(t, OPEN_URL(), { transport: 'ws', WebSocket: spy.WebSocket, batch: true });
  const ch = channel('', 'batch');
  const got = follow(sb, ch);
  await until(() => got.subscribed.length === 1, 'subscribed');
  assert.match(spy.sockets[0].url, /\/ws\?batch=1$/);
  const messages = Array.from({ length: 300 }, (_, n) => ({ channel: ch, data: { n } }));
  const response = await fetch(`${OPEN_URL()}/api/batch`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ messages }),
  });
  assert.equal(response.status, 200);
  await until(() => got.messages.length === 300, '300 messages');
  assert.deepEqual(got.messages, [...Array(300).keys()]);
  assert.ok(spy.framesWithSeveral > 0, 'at least one frame held several messages');
});

test('publish resolves to the offset, or rejects with the protocol error code', async (t) => {
  const sb = client(t, OPEN_URL(), { transport: 'ws' });
  const ch = channel('chat', 'publish');
  const got = follow(sb, ch);
  await until(() => got.subscribed.length === 1, 'subscribed');
  const offset = await sb.publish(ch, { text: 'hello' });
  assert.match(offset, /^\d+-/);
  await until(() => got.offsets.length === 1, 'the message');
  assert.equal(got.offsets[0], offset);

  const rows = [
    ['schema', ch, { nope: 1 }, 'invalid_payload'],
    ['namespace not configured', 'nope:x', 1, 'unknown_channel'],
    ['server-only namespace', channel('feed', 'x'), 1, 'forbidden'],
    ['bad channel name', 'has space', 1, 'bad_request'],
  ];
  for (const [name, target, data, code] of rows) {
    const err = await sb.publish(target, data).then(() => null, (e) => e);
    assert.ok(err instanceof SwitchboardError, name);
    assert.equal(err.code, code, `${name}: ${err.message}`);
  }
  const invalid = await sb.publish(ch, { nope: 1 }).catch((e) => e);
  assert.ok(invalid.errors.some((e) => e.path === '/data'), 'the schema errors come along');
});

test('history and presence over WebSocket', async (t) => {
  const sb = client(t, OPEN_URL(), { transport: 'ws' });
  const ch = channel('chat', 'reads');
  const got = follow(sb, ch);
  await until(() => got.subscribed.length === 1, 'subscribed');
  const offsets = [];
  for (let i = 0; i < 3; i++) offsets.push(await sb.publish(ch, { text: `m${i}` }));
  const page = await sb.history(ch, { limit: 2 });
  assert.deepEqual(page.messages.map((m) => m.offset), offsets.slice(1));
  assert.equal(page.messages[0].type, undefined, 'messages as onMessage gets them');
  assert.equal(page.offset, offsets[2]);
  const since = await sb.history(ch, { since: offsets[0] });
  assert.deepEqual(since.messages.map((m) => m.data.text), ['m1', 'm2']);
  assert.equal(since.complete, true);
  assert.deepEqual(await sb.presence(ch), [{ user: '', connections: 1 }]);
  const err = await sb.presence(channel('', 'no-presence')).catch((e) => e);
  assert.equal(err.code, 'bad_request');
});

test('while disconnected, publish rejects at once with unavailable, unless queuing was asked for', async (t) => {
  const proxy = await startProxy(OPEN_URL());
  t.after(() => proxy.close());
  proxy.refuseConnections = true;
  const plain = client(t, proxy.url, { transport: 'ws' });
  const queuing = client(t, proxy.url, { transport: 'ws', queuePublishes: true });
  await Promise.all([next(plain, 'disconnected'), next(queuing, 'disconnected')]);
  const ch = channel('', 'queue');

  const refused = await plain.publish(ch, { n: 0 }).catch((e) => e);
  assert.equal(refused.code, 'unavailable');
  const queued = [queuing.publish(ch, { n: 1 }), queuing.publish(ch, { n: 2 })];
  proxy.refuseConnections = false;
  const offsets = await Promise.all(queued);
  const page = await queuing.history(ch);
  assert.deepEqual(page.messages.map((m) => [m.offset, m.data.n]), [[offsets[0], 1], [offsets[1], 2]],
    'published once each, in order');

  queuing.close();
  const closed = await queuing.publish(ch, { n: 3 }).catch((e) => e);
  assert.equal(closed.code, 'closed');
});

for (const transport of ['ws', 'sse']) {
  test(`${transport}: a resume point history no longer holds reaches the application, once`, async (t) => {
    const proxy = await startProxy(OPEN_URL());
    t.after(() => proxy.close());
    const sb = client(t, proxy.url, { transport });
    const ch = channel('short', 'trimmed'); // history keeps 3 messages
    const got = follow(sb, ch);
    await until(() => got.subscribed.length === 1, 'subscribed');
    const first = await publish(OPEN_URL(), ch, { n: 0 });
    await until(() => got.offsets.length === 1, 'the first message');

    proxy.refuseConnections = true;
    proxy.cut();
    await next(sb, 'disconnected');
    for (let n = 1; n <= 5; n++) await publish(OPEN_URL(), ch, { n });
    proxy.refuseConnections = false;
    await until(() => got.recoveryFailed.length === 1, 'onRecoveryFailed');
    assert.equal(got.recoveryFailed[0].since, first, 'names the offset it could not resume from');
    assert.equal(got.gaps.length, 0, 'reported once, as a failed recovery');
    const live = await publish(OPEN_URL(), ch, { n: 6 });
    await until(() => got.offsets.includes(live), 'live messages after it');
    assert.deepEqual(got.messages, [0, 6]);

    // the next reconnect resumes from where the subscription went live, not the lost offset
    const back = next(sb, 'connected');
    proxy.cut();
    const meanwhile = await publish(OPEN_URL(), ch, { n: 7 });
    await back;
    await until(() => got.offsets.includes(meanwhile), 'the message published meanwhile');
    assert.equal(got.recoveryFailed.length, 1);
    assert.deepEqual(got.messages, [0, 6, 7]);
  });
}

test('a connection that brings nothing, not even pings, is given up and replaced', async (t) => {
  const proxy = await startProxy(OPEN_URL());
  t.after(() => proxy.close());
  const sb = client(t, proxy.url, { transport: 'ws' });
  const ch = channel('', 'frozen');
  const got = follow(sb, ch);
  const welcome = await next(sb, 'connected');
  assert.equal(welcome.heartbeatMs, 1000, 'the heartbeat the welcome announced');
  await until(() => got.subscribed.length === 1, 'subscribed');

  proxy.freeze(); // bytes vanish both ways; nothing closes
  const frozenAt = Date.now();
  const published = [];
  for (let n = 0; n < 3; n++) published.push(await publish(OPEN_URL(), ch, { n }));
  const lost = await next(sb, 'disconnected');
  const silentMs = Date.now() - frozenAt;
  assert.match(lost.reason, /no heartbeat/);
  assert.ok(silentMs >= 1000 && silentMs < 5000, `given up after ${silentMs} ms`);
  await next(sb, 'connected');
  await until(() => got.offsets.length === 3, 'the messages published meanwhile');
  assert.deepEqual(got.offsets, published);
});
