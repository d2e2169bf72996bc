/**
 * switchboard.js: the client of Switchboard, the real-time messaging server.
 *
 * One ES module without dependencies, for browsers and Node 18+. It connects over WebSocket (or
 * Server-Sent Events where WebSockets do not get through), reconnects with capped exponential
 * backoff and full jitter, resubscribes every channel from the last offset it delivered (so the
 * application sees every message once and in order across reconnects and nodes), refreshes the
 * token before it expires, and reports what it cannot hide: a failed recovery, a gap, a refusal.
 *
 *   import { Switchboard } from '/switchboard.js';
 *   const sb = new Switchboard('https://rt.example.com', { getToken: () => fetchToken() });
 *   sb.subscribe('chat:lobby', { onMessage: (m) => show(m.data) });
 *   await sb.publish('chat:lobby', { text: 'hi' });
 *
 * The API is documented in README.md next to this file; the wire protocol in the server's docs.
 */

/** The close codes the server uses (PROTOCOL.md section 4), and what this client does on each. */
export const CloseCode = Object.freeze({
  /** The node drains or stops: reconnect at once, to the next URL. */
  GOING_AWAY: 1001,
  /** A binary frame was sent: reported, the client stops. */
  UNSUPPORTED_DATA: 1003,
  /** The network or the client itself dropped the connection (no close frame): back off. */
  ABNORMAL: 1006,
  /** A frame was too large: reported, the client stops. */
  TOO_BIG: 1009,
  /**
   * The node cannot serve now (an SSE stream refused with 503, or the application's connect hook
   * did not answer): back off.
   */
  TRY_AGAIN_LATER: 1013,
  /** Bad or expired token: a fresh one from getToken(), then reconnect; without getToken, stop. */
  UNAUTHORIZED: 4401,
  /**
   * The user was disconnected by the server (/api/disconnect), or the application's connect hook
   * refused the connection: stop.
   */
  REVOKED: 4403,
  /** The server heard nothing from this client for too long: back off. */
  TIMEOUT: 4408,
  /** Flooding or too slow a reader: back off longer (backoff.rateLimitedMs more). */
  TOO_MANY: 4429,
});

/** Codes after which reconnecting would only repeat the refusal. */
const STOP_CODES = new Set([CloseCode.UNSUPPORTED_DATA, CloseCode.TOO_BIG, CloseCode.REVOKED]);

/** Subscribe errors worth another try on the same connection; anything else is final. */
const RETRIED_ERRORS = new Set(['unavailable', 'internal', 'rate_limited']);

const DEFAULT_BACKOFF = Object.freeze({
  baseMs: 500, maxMs: 20000, stableMs: 10000, rateLimitedMs: 5000,
});

const DEFAULTS = Object.freeze({
  transport: 'auto',
  batch: true,
  queuePublishes: false,
  connectTimeoutMs: 10000,
  heartbeatMs: 25000,
  refreshBeforeExpMs: 60000,
});

/**
 * A refusal or failure with its protocol error code (`forbidden`, `invalid_payload`, ...), or one
 * of the client's own: `unavailable` (not connected: nothing was sent), `connection_lost` (sent,
 * but the connection dropped before the answer: a publish may or may not have happened),
 * `closed` (close() was called), `already_subscribed`.
 */
export class SwitchboardError extends Error {
  constructor(code, message, errors) {
    super(message || code);
    this.name = 'SwitchboardError';
    this.code = code;
    if (errors) this.errors = errors;
  }

  static fromFrame(frame) {
    return new SwitchboardError(frame.code || 'internal', frame.message, frame.errors);
  }
}

/**
 * Full-jitter exponential backoff: a random delay from 0 up to min(maxMs, baseMs * 2^attempt),
 * so clients cut off together do not come back together.
 */
export function backoffDelay(attempt, backoff = DEFAULT_BACKOFF, random = Math.random) {
  const cap = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

/**
 * How long to wait before reconnecting after a connection closed with `code`, the `attempt`-th
 * failure in a row (0 after a stable connection): at once after a drain of a stable connection
 * (1001: another node takes over), backoffDelay plus backoff.rateLimitedMs after 4429, else
 * backoffDelay.
 */
export function reconnectDelay(code, attempt, backoff = DEFAULT_BACKOFF, random = Math.random) {
  if (code === CloseCode.GOING_AWAY && attempt === 0) return 0;
  const delay = backoffDelay(attempt, backoff, random);
  return code === CloseCode.TOO_MANY ? backoff.rateLimitedMs + delay : delay;
}

/** Handlers by event name; a throwing handler is reported asynchronously and hurts no other. */
class Emitter {
  #handlers = new Map();

  on(event, handler) {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event).add(handler);
    return () => this.#handlers.get(event)?.delete(handler);
  }

  emit(event, value) {
    for (const handler of [...(this.#handlers.get(event) ?? [])]) call(handler, value);
  }
}

/** Calls an application callback; its exception must not break the client's bookkeeping. */
function call(handler, value) {
  if (typeof handler !== 'function') return;
  try {
    handler(value);
  } catch (err) {
    queueMicrotask(() => { throw err; });
  }
}

/** One channel the application follows. Its `offset` is that of the last message delivered. */
class Subscription {
  #remove;

  constructor(channel, handlers, remove) {
    this.channel = channel;
    this.handlers = handlers;
    /** The last offset delivered (or the position the subscription started from). */
    this.offset = handlers.since ?? null;
    /** 'subscribing' | 'subscribed' | 'unsubscribed' | 'failed' */
    this.state = 'subscribing';
    this.#remove = remove;
    /** Whether this subscription was live before, so the next subscribe is a resubscribe. */
    this.wasLive = false;
    this.retries = 0;
  }

  /** Stops the subscription; messages already on their way are dropped. */
  unsubscribe() {
    if (this.state === 'unsubscribed' || this.state === 'failed') return;
    this.state = 'unsubscribed';
    this.#remove(this);
  }
}

/**
 * A connection to Switchboard nodes that survives them. Events (`on(event, handler)`):
 * `connecting`, `connected`, `disconnected`, `closed`, `state` (each of those four), `error`.
 */
export class Switchboard {
  #options;
  #backoff;
  #pickUrl;
  #emitter = new Emitter();
  /** channel -> Subscription */
  #subs = new Map();
  #state = 'idle';
  #conn = null;
  /** Bumped on every connection attempt and on close(): late callbacks of older ones are ignored. */
  #generation = 0;
  /** Failed connections in a row; back to 0 once a connection stays up backoff.stableMs. */
  #attempt = 0;
  #retryTimer = null;
  #stableTimer = null;
  #refreshTimer = null;
  #token;
  /** Publishes waiting for a connection (only with queuePublishes). */
  #queue = [];
  /** 'auto' found WebSockets blocked and SSE working: it stays on SSE. */
  #sseOnly = false;
  #heartbeatMs;
  #resyncScheduled = false;

  /**
   * @param url a node's base URL (`https://rt.example.com`; `ws(s)://` and a trailing `/ws` are
   *   accepted), a list of them (each connection attempt takes the next), or a function
   *   `({attempt, code, previous}) => url` (may return a Promise). In a browser it defaults to the
   *   page's origin.
   * @param options see README.md: token, getToken, transport, batch, queuePublishes, backoff,
   *   connectTimeoutMs, heartbeatMs, refreshBeforeExpMs, WebSocket, fetch.
   */
  constructor(url, options = {}) {
    this.#options = {
      ...DEFAULTS, ...options,
      WebSocket: options.WebSocket ?? globalThis.WebSocket,
      fetch: options.fetch ?? globalThis.fetch?.bind(globalThis),
    };
    this.#backoff = { ...DEFAULT_BACKOFF, ...(options.backoff ?? {}) };
    const { transport } = this.#options;
    if (!['auto', 'ws', 'sse'].includes(transport)) {
      throw new TypeError(`transport must be 'auto', 'ws' or 'sse', was ${transport}`);
    }
    if (transport === 'ws' && typeof this.#options.WebSocket !== 'function') {
      throw new TypeError('no WebSocket here: pass options.WebSocket (Node before 22: the "ws" '
        + 'package, or node --experimental-websocket on 20.10+)');
    }
    if (transport !== 'ws' && typeof this.#options.fetch !== 'function') {
      throw new TypeError('no fetch here for SSE and the HTTP API: pass options.fetch');
    }
    this.#pickUrl = urlPicker(url);
    this.#token = options.token ?? null;
    this.#heartbeatMs = this.#options.heartbeatMs;
    // after the constructor returns, so handlers attached right away see every event
    queueMicrotask(() => {
      if (this.#state === 'idle') this.connect();
    });
  }

  /** 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed' */
  get state() {
    return this.#state;
  }

  /** 'ws' or 'sse' while connected, else null. */
  get transport() {
    return this.#state === 'connected' ? this.#conn?.kind ?? null : null;
  }

  /** Adds an event handler; returns a function that removes it. */
  on(event, handler) {
    return this.#emitter.on(event, handler);
  }

  /** Starts connecting (the constructor does; again after close() or a stop). */
  connect() {
    if (['connecting', 'connected', 'disconnected'].includes(this.#state)) return;
    this.#attempt = 0;
    this.#open(null);
  }

  /** Closes the connection for good: no reconnect; queued and pending requests are rejected. */
  close() {
    if (this.#state !== 'closed') this.#stop(1000, 'closed by the application', false);
  }

  /**
   * Follows `channel`: `handlers` are `onMessage`, `onJoin`, `onLeave`, `onGap`,
   * `onRecoveryFailed`, `onSubscribed`, `onError`, and `since` (an offset to resume from).
   */
  subscribe(channel, handlers = {}) {
    if (this.#subs.has(channel)) {
      throw new SwitchboardError('already_subscribed', `already subscribed to ${channel}`);
    }
    const sub = new Subscription(channel, handlers, (s) => this.#removeSubscription(s));
    this.#subs.set(channel, sub);
    if (this.#state === 'connected') this.#follow(sub);
    return sub;
  }

  /** Resolves to the message's offset, or rejects with a SwitchboardError (its `code`). */
  publish(channel, data) {
    if (this.#state === 'connected') return this.#conn.publish(channel, data, newKey());
    if (this.#state === 'closed' || !this.#options.queuePublishes) {
      return Promise.reject(new SwitchboardError(this.#state === 'closed' ? 'closed' : 'unavailable',
        'not connected: not published'));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ channel, data, key: newKey(), resolve, reject });
    });
  }

  /** Recent messages: `{messages, offset, complete}`; `since` and `limit` are optional. */
  history(channel, { since, limit } = {}) {
    return this.#request({ type: 'history', channel, since, limit }).then((reply) => ({
      messages: reply.messages.map(asMessage), offset: reply.offset, complete: reply.complete,
    }));
  }

  /** Who is subscribed to `channel`, across the cluster: `[{user, connections}]`. */
  presence(channel) {
    return this.#request({ type: 'presence', channel }).then((reply) => reply.users);
  }

  #request(frame) {
    if (this.#state === 'connected') return this.#conn.request(frame);
    return Promise.reject(new SwitchboardError(this.#state === 'closed' ? 'closed' : 'unavailable',
      'not connected'));
  }

  // ---- connections ----

  async #open(previous) {
    const generation = ++this.#generation;
    let url;
    let token;
    try {
      url = normalizeUrl(await this.#pickUrl({
        attempt: this.#attempt, code: previous?.code ?? null, previous: previous?.url ?? null,
      }));
      token = await this.#currentToken();
    } catch (err) {
      if (generation !== this.#generation) return;
      this.#emitter.emit('error', asError(err, 'unavailable'));
      this.#lost({ code: CloseCode.ABNORMAL, reason: String(err?.message ?? err), url });
      return;
    }
    if (generation !== this.#generation) return;
    const kind = this.#options.transport === 'sse' || this.#sseOnly
      || typeof this.#options.WebSocket !== 'function' ? 'sse' : 'ws';
    this.#setState('connecting', { url, transport: kind, attempt: this.#attempt });
    this.#start(kind, url, token, false);
  }

  /** Opens a connection of `kind`; `resync`: a new SSE stream for new channels (state stays). */
  #start(kind, url, token, resync) {
    const sink = {
      ready: (conn, info) => this.#ready(conn, info),
      lost: (conn, close) => this.#connLost(conn, close),
      message: (frame) => this.#deliver(frame),
      event: (frame) => this.#event(frame),
      subscribed: (sub, result) => this.#subscribed(sub, result),
      subscribeFailed: (sub, err) => this.#subscribeFailed(sub, err),
      error: (err) => this.#emitter.emit('error', err),
      subscriptions: () => [...this.#subs.values()],
    };
    const settings = { ...this.#options, heartbeatMs: this.#heartbeatMs };
    this.#conn = kind === 'ws' ? new WsConnection(url, token, settings, sink)
      : new SseConnection(url, token, settings, sink, resync);
    this.#conn.open();
  }

  #ready(conn, info) {
    if (conn !== this.#conn) return;
    if (conn.kind === 'sse' && this.#options.transport === 'auto') this.#sseOnly = true;
    if (info.heartbeatMs) this.#heartbeatMs = info.heartbeatMs;
    if (conn.kind === 'ws') {
      for (const sub of this.#subs.values()) conn.subscribe(sub);
    } else {
      this.#scheduleResync(); // subscriptions may have changed while the stream opened
    }
    if (conn.resync) return;
    this.#setState('connected', { url: conn.url, ...info });
    this.#stableTimer = setTimeout(() => { this.#attempt = 0; }, this.#backoff.stableMs);
    this.#scheduleRefresh();
    for (const p of this.#queue.splice(0)) {
      conn.publish(p.channel, p.data, p.key).then(p.resolve, p.reject);
    }
  }

  /** A connection failed or dropped: falls back to SSE, reconnects after a delay, or stops. */
  #connLost(conn, close) {
    if (conn !== this.#conn) return;
    this.#conn = null;
    if (close.channelsRefused) {
      // the refused subscriptions failed; the others go on in a new stream, at once
      this.#start('sse', conn.url, conn.token, conn.resync);
      return;
    }
    if (conn.kind === 'ws' && !close.opened && this.#options.transport === 'auto'
        && typeof this.#options.fetch === 'function') {
      // the upgrade did not go through (a proxy that refuses WebSockets, or the node is down):
      // SSE at once on the same node; if that fails too, back off as usual
      this.#start('sse', conn.url, conn.token, false);
      return;
    }
    this.#lost({ ...close, url: conn.url });
  }

  #lost(close) {
    clearTimeout(this.#stableTimer);
    clearTimeout(this.#refreshTimer);
    this.#unfollowAll();
    const { code } = close;
    if (code === CloseCode.UNAUTHORIZED) {
      if (!this.#options.getToken) {
        this.#stop(code, close.reason || 'token refused, and no getToken() for another', true);
        return;
      }
      this.#token = null; // the next attempt asks getToken() for a fresh one
    }
    if (STOP_CODES.has(code)) {
      this.#stop(code, close.reason, true);
      return;
    }
    const delayMs = reconnectDelay(code, this.#attempt, this.#backoff);
    this.#attempt++;
    this.#setState('disconnected', {
      code, reason: close.reason ?? '', delayMs, attempt: this.#attempt, url: close.url,
    });
    this.#retryTimer = setTimeout(() => this.#open(close), delayMs);
  }

  #stop(code, reason, report) {
    this.#generation++;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#stableTimer);
    clearTimeout(this.#refreshTimer);
    const conn = this.#conn;
    this.#conn = null;
    conn?.close('closed');
    this.#unfollowAll();
    for (const p of this.#queue.splice(0)) {
      p.reject(new SwitchboardError('closed', 'the client stopped: not published'));
    }
    if (report) {
      this.#emitter.emit('error', new SwitchboardError(closeErrorCode(code),
        `connection closed for good (${code}${reason ? `: ${reason}` : ''})`));
    }
    this.#sseOnly = false;
    this.#setState('closed', { code, reason: reason ?? '' });
  }

  #setState(state, details) {
    this.#state = state;
    const event = { state, ...details };
    this.#emitter.emit(state, event);
    this.#emitter.emit('state', event);
  }

  // ---- tokens ----

  async #currentToken() {
    if (this.#token === null && this.#options.getToken) {
      this.#token = await this.#options.getToken();
    }
    return this.#token;
  }

  /** Asks getToken() for a fresh token before the current one expires (its JWT `exp`). */
  #scheduleRefresh() {
    clearTimeout(this.#refreshTimer);
    const expMs = tokenExpiryMs(this.#token);
    if (!expMs || !this.#options.getToken) return;
    const remaining = expMs - Date.now();
    const lead = Math.min(this.#options.refreshBeforeExpMs, remaining / 2);
    this.#refreshTimer = setTimeout(() => this.#refresh(), Math.max(0, remaining - lead));
  }

  async #refresh() {
    const conn = this.#conn;
    let token;
    try {
      token = await this.#options.getToken();
      if (conn !== this.#conn || !conn) return;
      await conn.refresh(token); // WebSocket: an auth frame, acknowledged; no reconnect
    } catch (err) {
      if (conn !== this.#conn || !conn) return;
      this.#emitter.emit('error', asError(err, 'unauthorized'));
      // again while the current token lasts (at its expiry the server closes with 4401, and the
      // reconnect asks getToken() again), every 1 to 5 s
      const remaining = (tokenExpiryMs(this.#token) ?? 0) - Date.now();
      if (remaining > 0) {
        this.#refreshTimer = setTimeout(() => this.#refresh(),
          Math.max(1000, Math.min(5000, remaining / 2)));
      }
      return;
    }
    this.#token = token;
    if (conn.kind === 'sse') this.#resync(token); // a stream cannot take a new token: a new one
    this.#scheduleRefresh();
  }

  // ---- subscriptions ----

  /** Subscribes on the live connection: a subscribe frame, or a new SSE stream. */
  #follow(sub) {
    if (this.#conn.kind === 'ws') this.#conn.subscribe(sub);
    else this.#scheduleResync();
  }

  #unfollowAll() {
    for (const sub of this.#subs.values()) {
      if (sub.state === 'subscribed') sub.state = 'subscribing';
    }
  }

  #removeSubscription(sub) {
    if (this.#subs.get(sub.channel) !== sub) return;
    this.#subs.delete(sub.channel);
    if (this.#state !== 'connected') return;
    if (this.#conn.kind === 'ws') this.#conn.unsubscribe(sub);
    else this.#scheduleResync();
  }

  /** Replaces the SSE stream when the subscriptions changed; several changes make one stream. */
  #scheduleResync() {
    if (this.#resyncScheduled) return;
    this.#resyncScheduled = true;
    queueMicrotask(() => {
      this.#resyncScheduled = false;
      const conn = this.#conn;
      if (conn?.kind !== 'sse' || !conn.isReady) return;
      const wanted = [...this.#subs.keys()];
      const streamed = conn.channels;
      if (wanted.length !== streamed.length || wanted.some((c) => !streamed.includes(c))) {
        this.#resync(conn.token);
      }
    });
  }

  #resync(token) {
    const conn = this.#conn;
    conn.close('closed');
    this.#unfollowAll();
    this.#start('sse', conn.url, token, true);
  }

  #subscribed(sub, { since, offset, recovered }) {
    if (this.#subs.get(sub.channel) !== sub) return;
    const resubscribed = sub.wasLive;
    sub.state = 'subscribed';
    sub.wasLive = true;
    sub.retries = 0;
    if (recovered === false) {
      // history no longer reaches back: live from here on, and the application must reload
      sub.offset = offset ?? null;
      call(sub.handlers.onRecoveryFailed, { channel: sub.channel, since, offset: sub.offset });
    } else if (recovered !== true && offset != null) {
      // a fresh subscription starts at the channel's current offset: a reconnect resumes there
      sub.offset = offset;
    }
    call(sub.handlers.onSubscribed, {
      channel: sub.channel, offset: sub.offset, recovered: recovered ?? null, resubscribed,
    });
  }

  #subscribeFailed(sub, err) {
    if (this.#subs.get(sub.channel) !== sub) return;
    if (RETRIED_ERRORS.has(err.code)) {
      const conn = this.#conn;
      setTimeout(() => {
        if (conn === this.#conn && this.#subs.get(sub.channel) === sub) this.#follow(sub);
      }, backoffDelay(sub.retries++, this.#backoff));
      return;
    }
    this.#subs.delete(sub.channel);
    sub.state = 'failed';
    call(sub.handlers.onError, err);
  }

  /** A message: delivered once, in order, to its subscription if it is live. */
  #deliver(frame) {
    const sub = this.#subs.get(frame.channel);
    if (!sub || sub.state !== 'subscribed') return;
    // offsets are compared for equality only; the server sends none twice, this guards anyway
    if (frame.offset === sub.offset) return;
    sub.offset = frame.offset;
    call(sub.handlers.onMessage, asMessage(frame));
  }

  #event(frame) {
    const sub = this.#subs.get(frame.channel);
    if (!sub || sub.state !== 'subscribed') return;
    const handler = { join: 'onJoin', leave: 'onLeave', gap: 'onGap' }[frame.type];
    if (handler) call(sub.handlers[handler], asMessage(frame));
  }
}

// ---- WebSocket ----

/** One WebSocket connection: authenticates, answers pings, matches replies to requests. */
class WsConnection {
  kind = 'ws';
  resync = false;
  #settings;
  #sink;
  #ws = null;
  #nextId = 1;
  /** id -> {resolve, reject} */
  #pending = new Map();
  #authId = null;
  #welcome = null;
  #ready = false;
  #dead = false;
  #opened = false;
  #timer = null;

  constructor(url, token, settings, sink) {
    this.url = url;
    this.token = token;
    this.#settings = settings;
    this.#sink = sink;
  }

  open() {
    const wsUrl = `${this.url.replace(/^http/, 'ws')}/ws${this.#settings.batch ? '?batch=1' : ''}`;
    try {
      this.#ws = new this.#settings.WebSocket(wsUrl);
    } catch (err) {
      queueMicrotask(() => this.#lost(CloseCode.ABNORMAL, String(err?.message ?? err)));
      return;
    }
    this.#ws.onopen = () => {
      if (this.#dead) return;
      this.#opened = true;
      if (this.token) {
        this.#authId = this.#nextId++;
        this.#send({ type: 'auth', id: this.#authId, token: this.token });
      }
    };
    this.#ws.onmessage = (event) => this.#receive(event.data);
    this.#ws.onclose = (event) => this.#lost(event.code, event.reason);
    this.#ws.onerror = () => {
      // after the upgrade a close event follows with its code; before it, some implementations
      // (Node's undici) fire no close at all, and there is no code to wait for
      if (!this.#opened) this.#lost(CloseCode.ABNORMAL, 'the WebSocket upgrade failed');
    };
    this.#watch(this.#settings.connectTimeoutMs, 'no welcome within connectTimeoutMs');
  }

  subscribe(sub) {
    const since = sub.offset;
    // answered synchronously, not through a Promise: the recovered messages may come in the same
    // read as the ack, and must find the subscription live
    this.#call({ type: 'subscribe', channel: sub.channel, since: since ?? undefined }, {
      resolve: (ack) => this.#sink.subscribed(sub, { since, offset: ack.offset, recovered: ack.recovered }),
      reject: (err) => {
        if (err.code !== 'connection_lost' && err.code !== 'closed') this.#sink.subscribeFailed(sub, err);
      },
    });
  }

  unsubscribe(sub) {
    this.request({ type: 'unsubscribe', channel: sub.channel }).catch(() => {
      // gone, or never subscribed on this connection: either way no longer subscribed
    });
  }

  publish(channel, data) {
    return this.request({ type: 'publish', channel, data }).then((ack) => ack.offset);
  }

  /** Sends a fresh token; the server acknowledges it and moves the connection's expiry. */
  refresh(token) {
    return this.request({ type: 'auth', token }).then(() => { this.token = token; });
  }

  request(frame) {
    return new Promise((resolve, reject) => this.#call(frame, { resolve, reject }));
  }

  /** Sends a request; `reply.resolve` or `reply.reject` is called with its answer. */
  #call(frame, reply) {
    if (this.#dead) {
      reply.reject(new SwitchboardError('connection_lost', 'the connection dropped'));
      return;
    }
    const id = this.#nextId++;
    const body = { ...frame, id };
    for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
    this.#pending.set(id, reply);
    this.#send(body);
  }

  /** Closes without reporting (the client moved on); `code` rejects what is pending. */
  close(code) {
    this.#abandon(code);
    try {
      this.#ws?.close(1000);
    } catch {
      // already closing: nothing more to release
    }
  }

  #send(frame) {
    this.#sendText(JSON.stringify(frame));
  }

  #sendText(text) {
    try {
      this.#ws.send(text);
    } catch {
      // not open (closing): the close event reports it and rejects what waits for an answer
    }
  }

  #receive(data) {
    if (this.#dead) return;
    const text = typeof data === 'string' ? data : String(data);
    if (this.#ready) this.#watch(deadAfterMs(this.#welcome.heartbeat), 'no heartbeat from the server');
    // with /ws?batch=1 a frame may hold several objects, one per line
    for (const line of text.split('\n')) {
      if (line && !this.#dead) this.#frame(JSON.parse(line));
    }
  }

  #frame(frame) {
    const pending = frame.id === undefined ? undefined : this.#pending.get(frame.id);
    if (pending) {
      this.#pending.delete(frame.id);
      if (frame.type === 'error') pending.reject(SwitchboardError.fromFrame(frame));
      else pending.resolve(frame);
      return;
    }
    switch (frame.type) {
      case 'welcome':
        this.#welcome = frame;
        // with a token, ready once the server took it: a welcome for its user (auth required),
        // or the ack of the auth frame (anonymous access welcomed the connection before it)
        if (!this.token || frame.user) this.#becomeReady();
        break;
      case 'ack':
        if (frame.id === this.#authId && this.#welcome) this.#becomeReady();
        break;
      case 'error':
        if (frame.id !== undefined && frame.id === this.#authId) {
          this.close('connection_lost');
          this.#sink.lost(this, { code: CloseCode.UNAUTHORIZED, reason: frame.message, opened: true });
        } else {
          this.#sink.error(SwitchboardError.fromFrame(frame));
        }
        break;
      case 'message':
        this.#sink.message(frame);
        break;
      case 'join':
      case 'leave':
      case 'gap':
        this.#sink.event(frame);
        break;
      case 'ping':
        this.#sendText('{"type":"pong"}');
        break;
      default:
        // pongs, and replies nothing waits for any more
    }
  }

  #becomeReady() {
    if (this.#ready) return;
    this.#ready = true;
    this.#authId = null;
    this.#watch(deadAfterMs(this.#welcome.heartbeat), 'no heartbeat from the server');
    this.#sink.ready(this, {
      transport: 'ws', node: this.#welcome.node, session: this.#welcome.session,
      user: this.#welcome.user || tokenSubject(this.token) || '', heartbeatMs: this.#welcome.heartbeat,
    });
  }

  /** (Re)starts the timer that declares the connection dead when nothing arrives in time. */
  #watch(ms, reason) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      // a dead TCP connection may take minutes to close by itself: give up on it now
      this.close('connection_lost');
      this.#sink.lost(this, { code: CloseCode.ABNORMAL, reason: `${reason} (${ms} ms)`, opened: this.#opened });
    }, ms);
  }

  #lost(code, reason) {
    if (this.#dead) return;
    this.#abandon('connection_lost');
    this.#sink.lost(this, { code, reason, opened: this.#opened });
  }

  #abandon(code) {
    if (this.#dead) return;
    this.#dead = true;
    clearTimeout(this.#timer);
    if (this.#ws) {
      this.#ws.onopen = this.#ws.onmessage = this.#ws.onclose = null;
      // kept as a listener: the "ws" package throws an error event nobody listens to
      this.#ws.onerror = () => {};
    }
    for (const { reject } of this.#pending.values()) {
      reject(new SwitchboardError(code, code === 'closed' ? 'the client was closed'
        : 'the connection dropped before the answer'));
    }
    this.#pending.clear();
  }
}

// ---- Server-Sent Events ----

/**
 * One SSE stream of every subscribed channel, resumed from each channel's offset; publishes,
 * history and presence go over the HTTP API. New channels mean a new stream (the client's resync).
 */
class SseConnection {
  kind = 'sse';
  isReady = false;
  #settings;
  #sink;
  #abort = new AbortController();
  /** The stream's reader, cancelled with the abort: see #abandon. */
  #reader = null;
  #dead = false;
  #timer = null;
  /** Subscription -> the offset its stream resumed from (null: a fresh subscription). */
  #resumedFrom = new Map();
  #resumed = false;
  /** Channels whose resume point the server could not honour (a gap before the resume point). */
  #unrecovered = new Set();
  /** HTTP publishes go one after another, so they keep the order they were made in. */
  #publishes = Promise.resolve();

  constructor(url, token, settings, sink, resync) {
    this.url = url;
    this.token = token;
    this.resync = resync;
    this.#settings = settings;
    this.#sink = sink;
  }

  get channels() {
    return [...this.#resumedFrom.keys()].map((sub) => sub.channel);
  }

  open() {
    for (const sub of this.#sink.subscriptions()) this.#resumedFrom.set(sub, sub.offset);
    if (this.#resumedFrom.size === 0) {
      // a stream needs a channel: connected, with nothing to follow until a subscribe
      queueMicrotask(() => this.#becomeReady());
      return;
    }
    this.#connect();
  }

  async #connect() {
    const headers = { Accept: 'text/event-stream', ...this.#auth() };
    const offsets = {};
    for (const [sub, offset] of this.#resumedFrom) if (offset != null) offsets[sub.channel] = offset;
    if (Object.keys(offsets).length) headers['Last-Event-ID'] = encodeResumeToken(offsets);
    this.#watch(this.#settings.connectTimeoutMs, 'no answer within connectTimeoutMs');
    let response;
    try {
      response = await this.#settings.fetch(this.#streamUrl(this.channels), {
        headers, signal: this.#abort.signal, cache: 'no-store',
      });
    } catch (err) {
      this.#lost({ code: CloseCode.ABNORMAL, reason: String(err?.message ?? err) });
      return;
    }
    if (this.#dead) {
      discard(response); // answered though aborted (see #abandon)
      return;
    }
    if (response.status !== 200) {
      await this.#refused(response);
      return;
    }
    for (const sub of this.#resumedFrom.keys()) {
      if (sub.state === 'subscribing') sub.state = 'subscribed';
    }
    // taken before the ready event, whose handlers may close the client (see #abandon)
    this.#reader = response.body.getReader();
    this.#becomeReady();
    this.#read(this.#reader);
  }

  #becomeReady() {
    if (this.#dead) return;
    this.isReady = true;
    this.#sink.ready(this, { transport: 'sse' });
  }

  async #read(reader) {
    const decoder = new TextDecoder();
    const parser = new SseParser((event) => this.#event(event));
    const deadMs = deadAfterMs(this.#settings.heartbeatMs);
    try {
      for (;;) {
        this.#watch(deadMs, 'no heartbeat from the server');
        const { done, value } = await reader.read();
        if (this.#dead) return;
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      this.#lost({ code: CloseCode.ABNORMAL, reason: String(err?.message ?? err), opened: true });
      return;
    }
    // the server ended the stream: a drain (1001), or the token expired
    this.#lost({ code: CloseCode.GOING_AWAY, reason: 'the server ended the stream', opened: true });
  }

  #event({ event, data, id }) {
    if (this.#dead) return;
    if (data === null) {
      // an id: line alone, sent once every channel is subscribed: each one's position
      if (id !== null && !this.#resumed) this.#resumePoint(decodeResumeToken(id));
      return;
    }
    const frame = JSON.parse(data);
    if (event === 'message') {
      this.#sink.message({ type: 'message', ...frame });
    } else if (event === 'gap' && !this.#resumed && this.#resumedFrom.get(this.#subOf(frame.channel)) != null) {
      // before the resume point: the offset this stream resumed from is gone (recovered: false)
      this.#unrecovered.add(frame.channel);
    } else {
      this.#sink.event(frame);
    }
  }

  #resumePoint(offsets) {
    this.#resumed = true;
    for (const [sub, since] of this.#resumedFrom) {
      const recovered = since == null ? null : !this.#unrecovered.has(sub.channel);
      this.#sink.subscribed(sub, { since, offset: offsets[sub.channel] ?? null, recovered });
    }
  }

  #subOf(channel) {
    return [...this.#resumedFrom.keys()].find((sub) => sub.channel === channel);
  }

  /** Refused before it started: a token, a limit, a node that cannot serve, or a channel. */
  async #refused(response) {
    const error = await errorOf(response);
    if (this.#dead) return;
    const { status } = response;
    if (status === 401) return this.#lost({ code: CloseCode.UNAUTHORIZED, reason: error.message });
    if (status === 429) return this.#lost({ code: CloseCode.TOO_MANY, reason: error.message });
    if (status >= 500) return this.#lost({ code: CloseCode.TRY_AGAIN_LATER, reason: error.message });
    // 400, 403, 404: a channel this user may not follow, but the status does not say which: ask
    // for each channel alone, fail those refused, and stream the others
    const subs = [...this.#resumedFrom.keys()];
    const refused = subs.length === 1 ? new Map([[subs[0], error]]) : await this.#probe(subs);
    if (this.#dead) return;
    if (refused.size === 0) refused.set(subs[0], error); // refused together, each one allowed
    for (const [sub, err] of refused) this.#sink.subscribeFailed(sub, err);
    this.#lost({ code: CloseCode.GOING_AWAY, reason: error.message, channelsRefused: true });
  }

  async #probe(subs) {
    const refused = new Map();
    for (const sub of subs) {
      const abort = new AbortController();
      try {
        const response = await this.#settings.fetch(this.#streamUrl([sub.channel]), {
          headers: { Accept: 'text/event-stream', ...this.#auth() }, signal: abort.signal,
        });
        if ([400, 403, 404].includes(response.status)) refused.set(sub, await errorOf(response));
        else discard(response); // the abort below may be missed (see #abandon)
      } catch {
        // network trouble: the stream's own retry finds out
      } finally {
        abort.abort();
      }
    }
    return refused;
  }

  publish(channel, data, key) {
    const post = () => this.#api('POST', '/api/publish', { channel, data }, { 'Idempotency-Key': key });
    // a publish whose answer was lost is sent once more: with the same Idempotency-Key the server
    // answers the first one's offset rather than publishing it twice
    const send = () => post()
      .catch((err) => (err.code === 'connection_lost' ? post() : Promise.reject(err)))
      .then((reply) => reply.offset);
    const result = this.#publishes.then(send, send);
    this.#publishes = result.catch(() => {});
    return result;
  }

  request(frame) {
    const channel = encodeURIComponent(frame.channel).replace(/%2F/gi, '/');
    if (frame.type === 'presence') return this.#api('GET', `/api/channels/${channel}/presence`);
    const query = new URLSearchParams();
    if (frame.since != null) query.set('since', frame.since);
    if (frame.limit != null) query.set('limit', String(frame.limit));
    const search = query.toString();
    return this.#api('GET', `/api/channels/${channel}/history${search ? `?${search}` : ''}`);
  }

  /** A stream cannot take a new token: the client opens a new one with it. */
  refresh() {
    return Promise.resolve();
  }

  close() {
    this.#abandon();
  }

  async #api(method, path, body, headers = {}) {
    let response;
    try {
      response = await this.#settings.fetch(this.url + path, {
        method,
        headers: { ...headers, ...this.#auth(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new SwitchboardError('connection_lost', `${method} ${path}: ${err?.message ?? err}`);
    }
    if (response.status !== 200) throw await errorOf(response);
    return response.json();
  }

  #auth() {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  #streamUrl(channels) {
    return `${this.url}/sse?${channels.map((c) => `channel=${encodeURIComponent(c)}`).join('&')}`;
  }

  #watch(ms, reason) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#lost({
      code: CloseCode.ABNORMAL, reason: `${reason} (${ms} ms)`, opened: this.isReady,
    }), ms);
  }

  #lost(close) {
    if (this.#dead) return;
    this.#abandon();
    this.#sink.lost(this, { opened: false, ...close });
  }

  #abandon() {
    this.#dead = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    // Node's fetch (undici) may miss the abort: it reaches the request through an object the GC
    // can collect while the body is read (nodejs/undici#4627; on Debian 12's Node 18, undici
    // 5.15, after any GC), which leaves the stream open. Cancelling the body closes it anyway.
    this.#reader?.cancel().catch(() => {});
  }
}

/** The text/event-stream format: an event per blank line, `: comments` (pings) skipped. */
class SseParser {
  #buffer = '';
  #data = [];
  #event = '';
  #id = null;
  #onEvent;

  constructor(onEvent) {
    this.#onEvent = onEvent;
  }

  push(text) {
    this.#buffer += text;
    let start = 0;
    for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n', start)) {
      this.#line(this.#buffer.slice(start, this.#buffer[end - 1] === '\r' ? end - 1 : end));
      start = end + 1;
    }
    this.#buffer = this.#buffer.slice(start);
  }

  #line(line) {
    if (line === '') {
      const event = {
        event: this.#event || 'message', data: this.#data.length ? this.#data.join('\n') : null, id: this.#id,
      };
      this.#data = [];
      this.#event = '';
      this.#id = null;
      if (event.data !== null || event.id !== null) this.#onEvent(event);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id') this.#id = value;
  }
}

// ---- helpers ----

/** A message as the application gets it: `{channel, offset, ts, publisher?, data}`. */
function asMessage(frame) {
  const { type, ...message } = frame;
  return message;
}

/** A connection is dead when nothing, not even a ping, came for 1.5 heartbeats and a second. */
function deadAfterMs(heartbeatMs) {
  return Math.round(heartbeatMs * 1.5) + 1000;
}

function urlPicker(url) {
  if (typeof url === 'function') return url;
  const urls = (Array.isArray(url) ? url : [url ?? globalThis.location?.origin]).filter(Boolean);
  if (urls.length === 0) throw new TypeError('a Switchboard URL is needed (no page origin to default to)');
  let next = 0;
  return () => urls[next++ % urls.length];
}

/** `https://host:port[/prefix]` from what the application gave (ws URLs and `/ws` accepted). */
function normalizeUrl(url) {
  const absolute = new URL(String(url), globalThis.location?.href);
  absolute.protocol = absolute.protocol.replace(/^ws/, 'http');
  return `${absolute.origin}${absolute.pathname.replace(/\/ws\/?$/, '').replace(/\/+$/, '')}`;
}

/** The JWT's `exp` in ms, or null for a token that is not a JWT or has none. */
function tokenExpiryMs(token) {
  const exp = tokenClaims(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : null;
}

function tokenSubject(token) {
  return tokenClaims(token)?.sub ?? null;
}

function tokenClaims(token) {
  if (typeof token !== 'string') return null;
  try {
    return JSON.parse(fromBase64Url(token.split('.')[1]));
  } catch {
    return null;
  }
}

/**
 * The SSE resume token (the `id:` of the server's events): base64url of a JSON object from
 * channel to offset, so a stream can resume from offsets another connection delivered.
 */
function encodeResumeToken(offsets) {
  const bytes = new TextEncoder().encode(JSON.stringify(offsets));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The offsets of an SSE resume token; empty for one this client cannot read. */
function decodeResumeToken(token) {
  try {
    const offsets = JSON.parse(fromBase64Url(token));
    return offsets && typeof offsets === 'object' ? offsets : {};
  } catch {
    return {};
  }
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** Lets go of a response whose body nobody will read (it may hold a connection open). */
function discard(response) {
  response.body?.cancel().catch(() => {});
}

/** The JSON error body of a refused HTTP request, as a SwitchboardError. */
async function errorOf(response) {
  const fallback = { 401: 'unauthorized', 403: 'forbidden', 404: 'unknown_channel', 413: 'too_large',
    429: 'rate_limited', 503: 'unavailable' }[response.status] ?? 'internal';
  try {
    const body = await response.json();
    return new SwitchboardError(body.code ?? fallback, body.message, body.errors);
  } catch {
    return new SwitchboardError(fallback, `HTTP ${response.status}`);
  }
}

function asError(err, code) {
  return err instanceof SwitchboardError ? err : new SwitchboardError(code, String(err?.message ?? err));
}

function closeErrorCode(code) {
  return { 1003: 'bad_request', 1009: 'too_large', 4401: 'unauthorized', 4403: 'forbidden' }[code] ?? 'unavailable';
}

/** An Idempotency-Key for an HTTP publish, so that its retry cannot publish it twice. */
function newKey() {
  const bytes = new Uint8Array(16);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
