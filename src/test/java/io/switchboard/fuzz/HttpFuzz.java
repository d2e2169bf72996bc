package io.switchboard.fuzz;

import io.switchboard.testing.RawConnection;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hostile requests to the HTTP entry points: publish, batch, disconnect, drain (always with
 * credentials it refuses, so the node never drains), history and presence paths and queries, SSE
 * queries and headers, and raw requests no HTTP client would send. Every answer must be a 2xx or
 * a 4xx with a JSON body naming a protocol error code.
 */
final class HttpFuzz {
  static final String API_KEY = "fuzz-api-key";

  private final Vertx vertx;
  private final int port;
  private final FuzzRun run;
  private final HttpClient client;
  private final NetClient raw;

  HttpFuzz(Vertx vertx, int port, FuzzRun run, HttpClient client, NetClient raw) {
    this.vertx = vertx;
    this.port = port;
    this.run = run;
    this.client = client;
    this.raw = raw;
  }

  private record Call(HttpMethod method, String uri, MultiMap headers, Buffer body) {
    /** As a failure shows it: the body's bytes escaped, as a raw request's are. */
    @Override
    public String toString() {
      return method + " " + uri + " " + headers.entries() + " body "
          + (body == null ? "none" : FuzzRun.preview(body));
    }
  }

  private static MultiMap apiKey() {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "ApiKey " + API_KEY);
  }

  List<FuzzRun.Task> publishes(int count) {
    Mutator m = run.mutator("http publish");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String channel = m.channelJson(m.pick(CHANNELS));
      MultiMap headers = apiKey();
      if (m.chance(15)) {
        headers.add("Idempotency-Key", headerValue(m));
      }
      Buffer body = m.chance(5)
          ? sized(m, "{\"channel\":\"fz\",\"data\":\"", "\"}")
          : m.variant(data -> "{\"channel\":" + channel + ",\"data\":" + data + "}");
      tasks.add(api("http publish", i, new Call(HttpMethod.POST, "/api/publish", headers, body)));
    }
    return tasks;
  }

  List<FuzzRun.Task> batches(int count) {
    Mutator m = run.mutator("http batch");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int items = m.pick(List.of(0, 1, 2, 5, 20));
      Buffer body = m.variant(data -> {
        StringBuilder list = new StringBuilder("{\"messages\":[");
        for (int j = 0; j < items; j++) {
          list.append(j == 0 ? "" : ",")
              .append("{\"channel\":")
              .append(m.channelJson(m.pick(CHANNELS)))
              .append(",\"data\":")
              .append(j == items - 1 ? data : "1")
              .append("}");
        }
        return list.append("]}").toString();
      });
      tasks.add(api("http batch", i, new Call(HttpMethod.POST, "/api/batch", apiKey(), body)));
    }
    return tasks;
  }

  List<FuzzRun.Task> disconnects(int count) {
    Mutator m = run.mutator("http disconnect");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Buffer body = m.variant(
          user -> "{\"user\":" + (m.chance(50) ? "\"fz-user-" + m.below(50) + "\"" : user) + "}");
      tasks.add(
          api("http disconnect", i, new Call(HttpMethod.POST, "/api/disconnect", apiKey(), body)));
    }
    return tasks;
  }

  /** Never with the node's key: a drain that went through would stop the node under test. */
  List<FuzzRun.Task> drains(int count) {
    Mutator m = run.mutator("http drain");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      switch (m.below(5)) {
        case 0:
          break;
        case 1:
          headers.add(
              "Authorization",
              "ApiKey " + API_KEY.substring(0, m.below(API_KEY.length())) + headerValue(m));
          break;
        case 2:
          headers.add("Authorization", "Bearer " + headerValue(m));
          break;
        case 3:
          headers.add(
              "Authorization",
              "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFk" + "bWluIn0.");
          break;
        default:
          headers.add("Authorization", headerValue(m));
      }
      Buffer body = m.variant(data -> data);
      int index = i;
      Call call = new Call(HttpMethod.POST, "/api/drain", headers, body);
      tasks.add(new FuzzRun.Task(
          "http drain",
          index,
          call,
          trace -> exchange(call, trace)
              .map(reply -> {
                run.counted("http drain");
                run.check(
                    reply.status == 401 && "unauthorized".equals(code(reply.body)),
                    "http drain",
                    index,
                    call,
                    () -> "refused drain answered " + reply.status + " " + reply.body);
                return null;
              })
              .otherwise(err -> failed("http drain", index, call, err, trace))));
    }
    return tasks;
  }

  List<FuzzRun.Task> channelReads(int count) {
    Mutator m = run.mutator("http history/presence");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String channel = m.chance(40) ? m.pick(CHANNELS) : pathSegment(m);
      String what = m.chance(70) ? "history" : "presence";
      StringBuilder uri =
          new StringBuilder("/api/channels/").append(channel).append('/').append(what);
      if (m.chance(70)) {
        uri.append('?')
            .append(m.pick(List.of("since", "limit", "limit", "since", "x")))
            .append('=')
            .append(m.pick(List.of(
                "10",
                "1e3",
                "-1",
                "0",
                "1001",
                "99999999999999999999",
                "99999999999999999999-x",
                "1-",
                "-",
                "",
                "%",
                "%ZZ",
                "%00",
                "1.5",
                "0x10",
                queryValue(m))));
        if (m.chance(30)) {
          uri.append("&limit=").append(queryValue(m));
        }
      }
      tasks.add(api(
          "http history/presence", i, new Call(HttpMethod.GET, uri.toString(), apiKey(), null)));
    }
    return tasks;
  }

  List<FuzzRun.Task> sse(int count) {
    Mutator m = run.mutator("sse");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder uri = new StringBuilder("/sse");
      int params = m.below(4);
      for (int j = 0; j < params; j++) {
        uri.append(j == 0 ? '?' : '&')
            .append(m.pick(List.of("channel", "channel", "lastEventId", "token", "channel[]")))
            .append('=')
            .append(m.chance(50) ? m.pick(CHANNELS) : queryValue(m));
      }
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      if (m.chance(30)) {
        headers.add("Last-Event-ID", headerValue(m));
      }
      if (m.chance(10)) {
        headers.add("Authorization", "Bearer " + headerValue(m));
      }
      tasks.add(api("sse", i, new Call(HttpMethod.GET, uri.toString(), headers, null)));
    }
    return tasks;
  }

  /** Bytes as they go on the wire: request lines and headers a client library would refuse. */
  List<FuzzRun.Task> raw(int count) {
    Mutator m = run.mutator("raw http");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // no /sse: a stream that starts never ends, and this reads whole responses
      String target = m.pick(
          List.of("/api/publish", "/api/channels/fz/history", "/health", "/ws", "/api/drain", "/"));
      byte[] line = (m.pick(List.of("GET", "POST", "PUT", "DELETE", "OPTIONS", "G\u0000T", "get"))
              + " " + target)
          .getBytes(StandardCharsets.ISO_8859_1);
      Buffer request = m.mutateBytes(Buffer.buffer(line));
      request
          .appendString(m.pick(List.of(" HTTP/1.1", " HTTP/1.0", " HTTP/9.9", "", " HTTP/1.1 x")))
          .appendString("\r\nHost: 127.0.0.1\r\n");
      if (m.chance(40)) {
        request.appendBuffer(m.mutateBytes(Buffer.buffer("X-Fuzz: value"))).appendString("\r\n");
      }
      if (m.chance(10)) {
        request.appendString("X-Big: " + "b".repeat(8000 + m.below(2000)) + "\r\n");
      }
      request.appendString("Content-Length: 0\r\nConnection: close\r\n\r\n");
      int index = i;
      tasks.add(new FuzzRun.Task("raw http", index, request, trace -> {
        trace.at("TCP connect");
        return RawConnection.connect(vertx, raw, port)
            .compose(connection -> {
              trace.at("writing the request");
              return connection
                  .write(request)
                  .compose(v -> {
                    trace.at("the response");
                    return connection.response().timeout(FuzzRun.ANSWER_MS, TimeUnit.MILLISECONDS);
                  })
                  .eventually(() -> {
                    trace.at("closing the connection");
                    return connection.closing();
                  });
            })
            .map(response -> {
              run.counted("raw http");
              int status = RawConnection.status(response);
              boolean ok = status == 200
                  || (status >= 400
                      && status < 500
                      && isClientCode(code(Buffer.buffer(RawConnection.body(response)))));
              run.check(ok, "raw http", index, request, () -> "answered " + response);
              return null;
            })
            .otherwise(err -> failed("raw http", index, request, err, trace));
      }));
    }
    return tasks;
  }

  /** An API call: 2xx, or a 4xx with a JSON error; SSE streams that start are closed at once. */
  private FuzzRun.Task api(String entry, int index, Call call) {
    return new FuzzRun.Task(
        entry,
        index,
        call,
        trace -> exchange(call, trace)
            .map(reply -> {
              run.counted(entry);
              boolean ok = reply.status == 200
                  || (reply.status >= 400 && reply.status < 500 && isClientCode(code(reply.body)));
              run.check(
                  ok,
                  entry,
                  index,
                  call,
                  () -> "answered " + reply.status + " " + FuzzRun.preview(reply.body));
              return null;
            })
            .otherwise(err -> failed(entry, index, call, err, trace)));
  }

  private record Reply(int status, Buffer body) {}

  private Future<Reply> exchange(Call call, FuzzRun.Trace trace) {
    RequestOptions options = new RequestOptions()
        .setMethod(call.method)
        .setHost("127.0.0.1")
        .setPort(port)
        .setURI(call.uri)
        .setHeaders(call.headers)
        // without it a request waits for a pooled connection as long as it takes
        .setConnectTimeout(FuzzRun.ANSWER_MS)
        .setIdleTimeout(FuzzRun.ANSWER_MS);
    trace.at("a pooled connection");
    return client
        .request(options)
        .compose(request -> {
          trace.at("the response head");
          return call.body == null ? request.send() : request.send(call.body);
        })
        .compose(response -> {
          if (isStream(response)) {
            trace.at("closing the stream's connection");
            return endStream(response);
          }
          trace.at("the response body");
          return response.body().map(body -> new Reply(response.statusCode(), body));
        });
  }

  /** A stream that started is not read: its connection is closed, as a browser leaving would. */
  private static Future<Reply> endStream(HttpClientResponse response) {
    // the response then fails with "connection closed", which is what this wants
    response.exceptionHandler(err -> {});
    return response.request().connection().close().map(v -> new Reply(200, Buffer.buffer()));
  }

  private static boolean isStream(HttpClientResponse response) {
    String type = response.getHeader("Content-Type");
    return response.statusCode() == 200 && type != null && type.startsWith("text/event-stream");
  }

  private Object failed(String entry, int index, Object input, Throwable err, FuzzRun.Trace trace) {
    run.counted(entry);
    run.fail(entry, index, input, "no answer: " + err + " (" + trace.where() + ")");
    return null;
  }

  static String code(Buffer body) {
    try {
      return new JsonObject(body).getString("code");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean isClientCode(String code) {
    return FuzzRun.isClientCode(code);
  }

  /** A size just under or over the body limit (the node's limits.maxBodyBytes). */
  private static Buffer sized(Mutator m, String before, String after) {
    int size = HostileInputFuzzTest.MAX_BODY_BYTES + m.pick(List.of(-1, 0, 1, 2));
    return Mutator.utf8(before + "x".repeat(size - before.length() - after.length()) + after);
  }

  static final List<String> CHANNELS =
      List.of("fz", "fz-a", "chat:fz", "feed:fz", "tree:fz", "user:fz", "nope:fz", "fz/a.b@c=d");

  /** Printable ASCII and Latin-1 (what a header may carry), sometimes long. */
  static String headerValue(Mutator m) {
    int length = m.chance(5) ? 200 + m.below(3000) : m.below(40);
    StringBuilder value = new StringBuilder();
    for (int i = 0; i < length; i++) {
      value.append(m.chance(80) ? (char) (0x21 + m.below(0x5E)) : (char) (0xA0 + m.below(0x60)));
    }
    return value.toString();
  }

  /** A query value: %-escapes good and bad, reserved characters, long runs. */
  static String queryValue(Mutator m) {
    StringBuilder value = new StringBuilder();
    int length = m.chance(5) ? 300 + m.below(500) : m.below(30);
    for (int i = 0; i < length; i++) {
      switch (m.below(6)) {
        case 0:
          value.append('%').append(String.format("%02X", m.below(256)));
          break;
        case 1:
          value.append(m.pick(List.of("%", "%Z", "%ZZ", "%u1234", "+", "&", "=", "#", "..", "/")));
          break;
        default:
          value.append((char) (0x21 + m.below(0x5E)));
      }
    }
    return value.toString().replace("#", "%23").replace(" ", "+");
  }

  /** A channel path segment: %-escaped bytes, dots, slashes, bad escapes. */
  static String pathSegment(Mutator m) {
    return m.pick(List.of(
            "..",
            ".",
            "%2e%2e",
            "a/../b",
            "%ZZ",
            "%",
            "a%00b",
            "%ED%A0%80",
            "%C0%AF",
            "x".repeat(256),
            "a%2Fb",
            "chat:%E9",
            "~",
            "%25"))
        + queryValue(m).replace("?", "%3F").replace("&", "%26");
  }
}
