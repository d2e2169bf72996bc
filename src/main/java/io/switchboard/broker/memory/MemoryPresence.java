package io.switchboard.broker.memory;

import io.switchboard.broker.PresenceManager;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence of one node. Like {@link MemoryBroker}, each channel's table changes only inside
 * {@link ConcurrentHashMap#compute}, because every event loop adds and removes its connections.
 */
public final class MemoryPresence implements PresenceManager {
  private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();

  /** Connections and per-user counts of one channel, so add and remove stay O(1). */
  private static final class Table {
    final Map<String, String> userByConnection = new HashMap<>();
    final Map<String, Integer> connectionsByUser = new HashMap<>();
  }

  @Override
  public Future<Boolean> add(String channel, String connectionId, String user) {
    boolean[] first = new boolean[1];
    tables.compute(channel, (name, table) -> {
      Table target = table != null ? table : new Table();
      if (target.userByConnection.put(connectionId, user) == null) {
        first[0] = target.connectionsByUser.merge(user, 1, Integer::sum) == 1;
      }
      return target;
    });
    return Future.succeededFuture(first[0]);
  }

  @Override
  public Future<Boolean> remove(String channel, String connectionId, String user) {
    boolean[] last = new boolean[1];
    tables.computeIfPresent(channel, (name, table) -> {
      String removed = table.userByConnection.remove(connectionId);
      if (removed != null) {
        last[0] = table.connectionsByUser.merge(removed, -1, Integer::sum) == 0;
        if (last[0]) {
          table.connectionsByUser.remove(removed);
        }
      }
      return table.userByConnection.isEmpty() ? null : table;
    });
    return Future.succeededFuture(last[0]);
  }

  @Override
  public Future<List<PresenceEntry>> list(String channel) {
    List<PresenceEntry> entries = new ArrayList<>();
    tables.computeIfPresent(channel, (name, table) -> {
      table.connectionsByUser.forEach((user, n) -> entries.add(new PresenceEntry(user, n)));
      return table;
    });
    entries.sort((a, b) -> a.user().compareTo(b.user()));
    return Future.succeededFuture(entries);
  }
}
