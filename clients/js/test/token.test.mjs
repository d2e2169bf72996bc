// Tokens: refreshed before they expire, over the open connection; over SSE a new stream resumes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Switchboard } from '../switchboard.js';
import {
  AUTH_URL, WebSocket, apiKeyHeader, channel, follow, next, publish, record, until, userToken,
} from './helpers.mjs';

/** Publishes one message at a time, each once the client has the one before, until `doneAt`. */
async function publishUntil(got, ch, doneAt) {
  const published = [];
  for (let n = 0; Date.now() < doneAt; n++) {
    published.push(await publish(AUTH_URL(), ch, { n }, apiKeyHeader()));
    await until(() => got.offsets.length === published.length, `message ${n}`);
  }
  return published;
}

// each waits for a token to expire: side by side, they wait once
describe('tokens', { concurrency: true }, () => {
  for (const transport of ['ws', 'sse']) {
    test(`${transport}: a token that expires mid-session is refreshed before exp, nothing lost`, async (t) => {
      // exp is in whole seconds: this one lives 2 to 3 s; the client asks for the next halfway
      const expSec = Math.floor(Date.now() / 1000) + 3;
      const tokens = [userToken('refresh', 0, { exp: expSec }), userToken('refresh')];
      let asked = 0;
      const sb = new Switchboard(AUTH_URL(), { transport, WebSocket, getToken: async () => tokens[asked++] });
      t.after(() => sb.close());
      const events = record(sb);
      const ch = channel('', `refresh-${transport}`);
      const got = follow(sb, ch);
      await until(() => got.subscribed.length === 1, 'subscribed');

      const published = await publishUntil(got, ch, expSec * 1000 + 1000);
      assert.equal(asked, 2, 'getToken() asked again before exp');
      assert.deepEqual(got.offsets, published);
      assert.equal(events.filter((e) => e.event === 'connected').length, 1, 'connected once');
      assert.equal(events.filter((e) => e.event === 'disconnected').length, 0, 'never disconnected');
      assert.equal(events.filter((e) => e.event === 'error').length, 0);
    });
  }

  test('a refresh the server refuses: at expiry (4401) a fresh token reconnects, nothing lost', async (t) => {
    const expSec = Math.floor(Date.now() / 1000) + 3;
    let asked = 0;
    let sb = null;
    // the first token, then while connected only one the node refuses, then a good one again
    const getToken = async () => {
      if (asked++ === 0) return userToken('late', 0, { exp: expSec });
      return sb.state === 'connected' ? 'refused-refresh' : userToken('late');
    };
    sb = new Switchboard(AUTH_URL(), { transport: 'ws', WebSocket, getToken, backoff: { baseMs: 50 } });
    t.after(() => sb.close());
    const events = record(sb);
    const ch = channel('', 'late-refresh');
    const got = follow(sb, ch);
    await until(() => got.subscribed.length === 1, 'subscribed');
    const published = await publishUntil(got, ch, expSec * 1000 + 1000);
    assert.ok(events.some((e) => e.event === 'error' && e.code === 'unauthorized'), 'the refused refresh is reported');
    const lost = events.find((e) => e.event === 'disconnected');
    assert.equal(lost?.code, 4401, 'closed at expiry');
    assert.deepEqual(got.offsets, published);
  });
});
