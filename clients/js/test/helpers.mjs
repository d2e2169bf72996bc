// Shared by the client's tests: the nodes the JUnit runner started (NodeClientTest), tokens,
// a TCP proxy that cuts, freezes and refuses WebSocket upgrades, and waiting for conditions.
import { createHmac } from 'node:crypto';
import { Switchboard } from '../switchboard.js';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** An environment variable the runner sets; without it the test says how to run it. */
export function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: these tests need real Switchboard nodes; run them with `
      + "mvn test -Dtest=NodeClientTest (or scripts/test), which starts the nodes and node --test");
  }
  return value;
}

export const OPEN_URL = () => env('SB_URL');
export const AUTH_URL = () => env('SB_AUTH_URL');
export const CLUSTER_URLS = () => env('SB_CLUSTER_URLS').split(',');

/**
 * The WebSocket class the tests give the client, as SB_WEBSOCKET (set by the runner) says:
 * `global`, Node's own (22 and later, or 20.10+ with --experimental-websocket), or `ws`, the npm
 * package that Node 18 and 20 users pass, as README.md tells them. Unset: the global where there
 * is one.
 */
export const WebSocket = await webSocketClass(
  process.env.SB_WEBSOCKET || (typeof globalThis.WebSocket === 'function' ? 'global' : 'ws'));

async function webSocketClass(name) {
  if (name === 'ws') {
    try {
      return (await import('ws')).default;
    } catch (err) {
      throw new Error(`the "ws" package is not installed (${err.message}): run npm ci in clients/js`);
    }
  }
  if (name === 'global' && typeof globalThis.WebSocket === 'function') return globalThis.WebSocket;
  throw new Error(`SB_WEBSOCKET=${name}: no such WebSocket here; ws, or global on Node 22+ (20.10+ `
    + 'with --experimental-websocket)');
}

/** Reconnects fast: the tests cut often. */
export const FAST = { baseMs: 50, maxMs: 400, stableMs: 10000, rateLimitedMs: 300 };

/**
 * A client with the FAST backoff and the tests' WebSocket (unless `options` says otherwise),
 * closed after the test.
 */
export function client(t, url, options) {
  const sb = new Switchboard(url, { backoff: FAST, WebSocket, ...options });
  t.after(() => sb.close());
  return sb;
}

let unique = 0;
/** A channel name of its own for each test, in namespace `ns`. */
export function channel(ns, base) {
  const name = `${base}-${process.pid}-${Date.now().toString(36)}-${unique++}`;
  return ns ? `${ns}:${name}` : name;
}

// ---- tokens ----

export function jwt(claims, secret = env('SB_JWT_SECRET')) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A token the auth node accepts, for user `sub`, valid `ttlSec` seconds. */
export function userToken(sub, ttlSec = 3600, more = {}) {
  const now = Math.floor(Date.now() / 1000);
  return jwt({
    sub, iat: now, exp: now + ttlSec, iss: env('SB_JWT_ISSUER'), aud: env('SB_JWT_AUDIENCE'), ...more,
  });
}

export const apiKeyHeader = () => ({ Authorization: `ApiKey ${env('SB_API_KEY')}` });

// ---- HTTP API ----

/** POST /api/publish; resolves to the offset. */
export async function publish(url, channelName, data, headers = {}) {
  const response = await fetch(`${url}/api/publish`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ channel: channelName, data }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`publish: ${response.status} ${JSON.stringify(body)}`);
  return body.offset;
}

export async function post(url, path, body, headers = {}) {
  const response = await fetch(url + path, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

export async function get(url, path, headers = {}) {
  const response = await fetch(url + path, { headers });
  return { status: response.status, body: await response.json() };
}

// ---- waiting ----

/** Waits for `condition()` (or the Promise it returns) to hold; fails naming `what` after `timeoutMs`. */
export async function until(condition, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

/** Resolves with the next `event` of `sb` (or of `predicate`-matching ones). */
export function next(sb, event, predicate = () => true, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${event} within ${timeoutMs} ms`)); }, timeoutMs);
    const off = sb.on(event, (value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Every event of a client, in order, for assertions. */
export function record(sb) {
  const events = [];
  for (const name of ['connecting', 'connected', 'disconnected', 'closed', 'error']) {
    sb.on(name, (value) => events.push({
      event: name, at: Date.now(),
      ...(value instanceof Error ? { code: value.code, message: value.message } : value),
    }));
  }
  return events;
}

/** A subscription that keeps what it gets: messages (data.n or data), and its events. */
export function follow(sb, channelName, extra = {}) {
  const got = { messages: [], offsets: [], gaps: [], recoveryFailed: [], subscribed: [], errors: [] };
  got.sub = sb.subscribe(channelName, {
    onMessage: (m) => { got.messages.push(m.data?.n ?? m.data); got.offsets.push(m.offset); },
    onGap: (g) => got.gaps.push(g),
    onRecoveryFailed: (r) => got.recoveryFailed.push(r),
    onSubscribed: (s) => got.subscribed.push(s),
    onError: (e) => got.errors.push(e),
    ...extra,
  });
  return got;
}

// ---- a TCP proxy ----

/**
 * Forwards a port to a node, and on command cuts every connection, freezes them (bytes vanish
 * both ways and nothing is closed, like a dead route), refuses new connections, or refuses
 * WebSocket upgrades (403, as some corporate proxies do) while passing other requests.
 */
export async function startProxy(targetUrl) {
  const target = new URL(targetUrl);
  const pairs = new Set();
  const proxy = {
    refuseUpgrades: false,
    refuseConnections: false,
    upgradesRefused: 0,
    cut() {
      for (const pair of pairs) pair.destroy();
    },
    freeze() {
      for (const pair of pairs) pair.frozen = true;
    },
    close() {
      this.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
  const server = net.createServer((client) => {
    if (proxy.refuseConnections) {
      // reset once the request came, as a node that died would
      client.on('data', () => client.destroy());
      client.on('error', () => {});
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = {
      frozen: false,
      destroy() {
        client.destroy();
        upstream.destroy();
        pairs.delete(pair);
      },
    };
    pairs.add(pair);
    let head = proxy.refuseUpgrades ? Buffer.alloc(0) : null;
    client.on('data', (chunk) => {
      if (pair.frozen) return;
      if (head) {
        // the request head decides: an upgrade to WebSocket is refused, anything else passes
        head = Buffer.concat([head, chunk]);
        if (!head.includes('\r\n\r\n')) return;
        chunk = head;
        head = null;
        if (/^upgrade:\s*websocket/im.test(chunk.toString('latin1'))) {
          proxy.upgradesRefused++;
          client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          upstream.destroy();
          pairs.delete(pair);
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => { if (!pair.frozen) client.write(chunk); });
    // a frozen pair passes nothing, not even a close: the other side finds out by itself
    client.on('close', () => { if (!pair.frozen) pair.destroy(); });
    upstream.on('close', () => { if (!pair.frozen) pair.destroy(); });
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  return proxy;
}

/** A WebSocket class that hands the test each socket it makes, and can drop our pongs. */
export function spyWebSocket() {
  const spy = { sockets: [], dropPongs: false, framesWithSeveral: 0 };
  spy.WebSocket = class extends WebSocket {
    constructor(...args) {
      super(...args);
      spy.sockets.push(this);
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.includes('\n')) spy.framesWithSeveral++;
      });
    }

    send(data) {
      if (spy.dropPongs && data === '{"type":"pong"}') return;
      super.send(data);
    }
  };
  return spy;
}

/** How long "nothing more happens" checks listen. */
export const QUIET_WINDOW_MS = 300;

/** Lets QUIET_WINDOW_MS pass, for checks that something does not happen. */
export function quietWindow() {
  return sleep(QUIET_WINDOW_MS);
}
