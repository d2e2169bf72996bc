package io.switchboard.bench;

/** A benchmark subscriber over either transport: {@link Subscriber} or {@link SseSubscriber}. */
interface Receiver {
  /** Whether its connection became usable; read from the bench main thread after connecting. */
  boolean isReady();
}
