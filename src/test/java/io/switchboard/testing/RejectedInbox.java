package io.switchboard.testing;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;

/** What the nodes set aside in {@code {prefix}:inbox:rejected} (README "Redis layout"). */
public final class RejectedInbox {
  private RejectedInbox() {}

  /** The inbox entry id of each rejected entry, to the error code it was set aside with. */
  public static Map<String, String> codes(Redis redis, String prefix) {
    Response entries = Await.result(redis.send(
        Request.cmd(Command.XRANGE).arg(prefix + ":inbox:rejected").arg("-").arg("+")));
    Map<String, String> codes = new HashMap<>();
    for (Response entry : entries) {
      Response fields = entry.get(1);
      String id = null;
      String code = null;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String name = fields.get(i).toString();
        if (name.equals("entry")) {
          id = fields.get(i + 1).toString();
        } else if (name.equals("code")) {
          code = fields.get(i + 1).toString();
        }
      }
      codes.put(id, code);
    }
    return codes;
  }
}
