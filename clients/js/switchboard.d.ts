// Type declarations of switchboard.js, the Switchboard client. See README.md for the behaviour.

/** The close codes the server uses, and the client's own for what has no close frame. */
export declare const CloseCode: Readonly<{
  GOING_AWAY: 1001;
  UNSUPPORTED_DATA: 1003;
  ABNORMAL: 1006;
  TOO_BIG: 1009;
  TRY_AGAIN_LATER: 1013;
  UNAUTHORIZED: 4401;
  REVOKED: 4403;
  TIMEOUT: 4408;
  TOO_MANY: 4429;
}>;

/** A protocol error code, or one of the client's own. */
export type ErrorCode =
  | 'bad_request' | 'unknown_type' | 'invalid_payload' | 'unauthorized' | 'forbidden'
  | 'unknown_channel' | 'not_subscribed' | 'rate_limited' | 'too_large' | 'unavailable'
  | 'internal'
  // the client's own: not sent; sent but no answer (a publish may have happened); close() called
  | 'connection_lost' | 'closed' | 'already_subscribed';

export interface FieldError {
  path: string;
  message: string;
}

export declare class SwitchboardError extends Error {
  readonly name: 'SwitchboardError';
  readonly code: ErrorCode | string;
  /** For invalid_payload: where the data broke the namespace's schema. */
  readonly errors?: FieldError[];
}

export interface Backoff {
  /** First cap of the random delay, doubled on each failure in a row. Default 500. */
  baseMs?: number;
  /** Largest cap. Default 20000. */
  maxMs?: number;
  /** A connection up this long resets the count of failures. Default 10000. */
  stableMs?: number;
  /** Added to the delay after close code 4429. Default 5000. */
  rateLimitedMs?: number;
}

/** What `url` may be: one node, several (each attempt takes the next), or a function. */
export type Urls =
  | string
  | URL
  | Array<string | URL>
  | ((info: { attempt: number; code: number | null; previous: string | null }) => string | URL | Promise<string | URL>);

export interface SwitchboardOptions {
  /** A JWT, sent in the first frame (WebSocket) or as Authorization: Bearer (SSE, HTTP API). */
  token?: string;
  /** Called for a token when there is none, after 4401, and before the current one's exp. */
  getToken?: () => string | Promise<string>;
  /** 'auto' (default): WebSocket, else SSE + HTTP API when upgrades do not get through. */
  transport?: 'auto' | 'ws' | 'sse';
  /** Accept several messages per WebSocket frame (/ws?batch=1). Default true. */
  batch?: boolean;
  /** Keep publishes made while disconnected and send them on reconnect. Default false. */
  queuePublishes?: boolean;
  backoff?: Backoff;
  /** A connection not ready by then is given up. Default 10000. */
  connectTimeoutMs?: number;
  /** The server's heartbeat.intervalMs, for SSE (WebSocket learns it from the welcome). Default 25000. */
  heartbeatMs?: number;
  /** Ask getToken() this long before exp, or halfway for shorter tokens. Default 60000. */
  refreshBeforeExpMs?: number;
  /** A WebSocket class, where there is no global one (Node before 22: the "ws" package). */
  WebSocket?: unknown;
  /** A fetch function, where there is no global one. */
  fetch?: typeof globalThis.fetch;
}

export interface Message<T = unknown> {
  channel: string;
  offset: string;
  ts: number;
  /** The publishing user ("" when anonymous); absent for the HTTP API, event bus and services. */
  publisher?: string;
  data: T;
}

export interface SubscriptionHandlers<T = unknown> {
  /** Resume from this offset (one a message had) on the first subscribe. */
  since?: string;
  onMessage?: (message: Message<T>) => void;
  onJoin?: (event: { channel: string; user: string }) => void;
  onLeave?: (event: { channel: string; user: string }) => void;
  /** Messages after `offset` were lost to this subscription (a broker outage): reload state. */
  onGap?: (event: { channel: string; offset: string }) => void;
  /** History no longer reaches back to `since`: reload state. Live messages follow. */
  onRecoveryFailed?: (event: { channel: string; since: string | null; offset: string | null }) => void;
  /** Live: after the first subscribe, and after each resubscribe (`resubscribed`). */
  onSubscribed?: (event: {
    channel: string; offset: string | null; recovered: boolean | null; resubscribed: boolean;
  }) => void;
  /** The subscription was refused (forbidden, unknown_channel, bad_request) and is over. */
  onError?: (error: SwitchboardError) => void;
}

export interface Subscription {
  readonly channel: string;
  /** The offset of the last message delivered (or where the subscription started). */
  readonly offset: string | null;
  readonly state: 'subscribing' | 'subscribed' | 'unsubscribed' | 'failed';
  unsubscribe(): void;
}

export type State = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface ConnectingEvent { state: 'connecting'; url: string; transport: 'ws' | 'sse'; attempt: number }
export interface ConnectedEvent {
  state: 'connected'; url: string; transport: 'ws' | 'sse';
  /** WebSocket only: from the welcome frame. */
  node?: string; session?: string; user?: string; heartbeatMs?: number;
}
export interface DisconnectedEvent {
  state: 'disconnected'; code: number; reason: string; delayMs: number; attempt: number; url: string;
}
export interface ClosedEvent { state: 'closed'; code: number; reason: string }
export type StateEvent = ConnectingEvent | ConnectedEvent | DisconnectedEvent | ClosedEvent;

export interface Events {
  connecting: ConnectingEvent;
  connected: ConnectedEvent;
  disconnected: DisconnectedEvent;
  closed: ClosedEvent;
  state: StateEvent;
  error: SwitchboardError;
}

export interface History<T = unknown> {
  messages: Message<T>[];
  offset: string;
  complete: boolean;
}

export declare class Switchboard {
  constructor(url?: Urls, options?: SwitchboardOptions);
  readonly state: State;
  readonly transport: 'ws' | 'sse' | null;
  on<E extends keyof Events>(event: E, handler: (value: Events[E]) => void): () => void;
  connect(): void;
  close(): void;
  subscribe<T = unknown>(channel: string, handlers?: SubscriptionHandlers<T>): Subscription;
  publish(channel: string, data: unknown): Promise<string>;
  history<T = unknown>(channel: string, options?: { since?: string; limit?: number }): Promise<History<T>>;
  presence(channel: string): Promise<Array<{ user: string; connections: number }>>;
}

export declare function backoffDelay(attempt: number, backoff?: Backoff, random?: () => number): number;
export declare function reconnectDelay(code: number, attempt: number, backoff?: Backoff, random?: () => number): number;
