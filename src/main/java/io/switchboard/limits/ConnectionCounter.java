package io.switchboard.limits;

import io.switchboard.config.Sections.LimitsConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Open connections per remote address ({@code limits.maxConnectionsPerAddress}) and per
 * authenticated user ({@code limits.maxConnectionsPerUser}), WebSocket and SSE alike.
 *
 * <p>Shared by every event loop of the node: one client's connections land on different loops, so
 * a per-loop count would let it open {@code instances} times the limit. Each acquire and release
 * is one atomic {@code compute} on a concurrent map, and a key whose count drops to zero is
 * removed, so the maps hold only addresses and users that are connected now.
 *
 * <p>Every successful acquire must be paired with exactly one release of the same key. A limit of
 * 0 counts nothing: acquire always succeeds and release does nothing.
 */
public final class ConnectionCounter {
  private final int maxPerAddress;
  private final int maxPerUser;
  private final ConcurrentHashMap<String, Integer> addresses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> users = new ConcurrentHashMap<>();

  public ConnectionCounter(int maxPerAddress, int maxPerUser) {
    this.maxPerAddress = maxPerAddress;
    this.maxPerUser = maxPerUser;
  }

  public static ConnectionCounter of(LimitsConfig limits) {
    return new ConnectionCounter(limits.maxConnectionsPerAddress(), limits.maxConnectionsPerUser());
  }

  public int maxPerAddress() {
    return maxPerAddress;
  }

  public int maxPerUser() {
    return maxPerUser;
  }

  /** Counts one more connection from {@code address}, unless that would go over the limit. */
  public boolean tryAcquireAddress(String address) {
    return tryAcquire(addresses, address, maxPerAddress);
  }

  public void releaseAddress(String address) {
    release(addresses, address, maxPerAddress);
  }

  /**
   * {@link #tryAcquireAddress} for a connection with several close paths: null when over the
   * limit, else its release, which only its first run performs.
   */
  public Runnable acquireAddressOnce(String address) {
    if (!tryAcquireAddress(address)) {
      return null;
    }
    if (maxPerAddress <= 0) {
      return () -> {};
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        releaseAddress(address);
      }
    };
  }

  /**
   * Counts one more connection of {@code user}, unless that would go over the limit. Anonymous
   * connections (user {@code ""} or null) share no user and are not counted (PROTOCOL.md 10).
   */
  public boolean tryAcquireUser(String user) {
    return anonymous(user) || tryAcquire(users, user, maxPerUser);
  }

  public void releaseUser(String user) {
    if (!anonymous(user)) {
      release(users, user, maxPerUser);
    }
  }

  /** Connections counted for {@code address} now (0 when the limit is off). */
  public int addressCount(String address) {
    return addresses.getOrDefault(address, 0);
  }

  public int userCount(String user) {
    return users.getOrDefault(user, 0);
  }

  private static boolean anonymous(String user) {
    return user == null || user.isEmpty();
  }

  private static boolean tryAcquire(
      ConcurrentHashMap<String, Integer> counts, String key, int max) {
    if (max <= 0) {
      return true;
    }
    boolean[] acquired = {false};
    counts.compute(key, (k, count) -> {
      int now = count == null ? 0 : count;
      if (now >= max) {
        return count;
      }
      acquired[0] = true;
      return now + 1;
    });
    return acquired[0];
  }

  private static void release(ConcurrentHashMap<String, Integer> counts, String key, int max) {
    if (max > 0) {
      counts.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }
  }
}
