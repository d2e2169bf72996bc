package io.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.broker.PresenceManager.PresenceEntry;
import io.switchboard.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What every {@link PresenceManager} must do; each implementation's test class extends this. */
@ExtendWith(VertxExtension.class)
public abstract class PresenceContract {
  protected PresenceManager presence;

  protected abstract Future<PresenceManager> newPresence(Vertx vertx);

  @BeforeEach
  void createPresence(Vertx vertx) {
    presence = Await.result(newPresence(vertx));
  }

  @Test
  void firstConnectionOfAUserJoinsAndLastOneLeaves() {
    String ch = getClass().getSimpleName() + "-join";
    assertTrue(Await.result(presence.add(ch, "c1", "alice")));
    assertFalse(Await.result(presence.add(ch, "c2", "alice")));
    assertTrue(Await.result(presence.add(ch, "c3", "bob")));
    assertEquals(
        List.of(new PresenceEntry("alice", 2), new PresenceEntry("bob", 1)),
        Await.result(presence.list(ch)));
    assertFalse(Await.result(presence.remove(ch, "c1", "alice")));
    assertTrue(Await.result(presence.remove(ch, "c2", "alice")));
    assertEquals(List.of(new PresenceEntry("bob", 1)), Await.result(presence.list(ch)));
  }

  @Test
  void removingAnUnknownConnectionIsNotALeave() {
    String ch = getClass().getSimpleName() + "-unknown";
    assertFalse(Await.result(presence.remove(ch, "nobody", "x")));
    assertTrue(Await.result(presence.list(ch)).isEmpty());
  }

  @Test
  void addingTheSameConnectionTwiceCountsItOnce() {
    String ch = getClass().getSimpleName() + "-twice";
    Await.result(presence.add(ch, "c1", "alice"));
    Await.result(presence.add(ch, "c1", "alice"));
    assertEquals(List.of(new PresenceEntry("alice", 1)), Await.result(presence.list(ch)));
  }
}
