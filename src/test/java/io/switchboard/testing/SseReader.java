package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Reads a Server-Sent Events stream over a real HTTP connection and parses its events. */
public final class SseReader {
  /** One dispatched event; {@code event} is "message" unless named, comments have event ":". */
  public record Event(String id, String event, String data) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final HttpClient client;
  private final FrameQueue<Event> events = new FrameQueue<>();
  private final Promise<Void> ended = Promise.promise();
  private final Promise<String> firstId = Promise.promise();
  private final StringBuilder pending = new StringBuilder();
  private HttpClientResponse response;
  private String body;
  // fields of the event being read
  private String id;
  private String event;
  private StringBuilder data;
  private String lastId;

  private SseReader(Vertx vertx) {
    this.client = vertx.createHttpClient();
  }

  /** Opens {@code uri} (e.g. {@code /sse?channel=a}) with an optional Last-Event-ID. */
  public static SseReader open(Vertx vertx, int port, String uri, String lastEventId) {
    return open(vertx, port, uri, lastEventId, null);
  }

  /** Opens {@code uri} with extra request headers (e.g. Authorization). */
  public static SseReader open(
      Vertx vertx, int port, String uri, String lastEventId, MultiMap headers) {
    SseReader reader = new SseReader(vertx);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost("127.0.0.1")
        .setPort(port)
        .setURI(uri);
    if (headers != null) {
      options.setHeaders(headers);
    }
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    // on a Vert.x context, handlers go on inside the response callback, on the connection's event
    // loop: chunks that arrive before a handler is set are lost, and the first lines come at once
    Promise<HttpClientResponse> opened = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(go -> reader
            .client
            .request(options)
            .compose(request -> request.send())
            .compose(response -> {
              if (response.statusCode() != 200) {
                return response.body().map(body -> {
                  reader.body = body.toString();
                  return response;
                });
              }
              response.handler(reader::feed);
              response.endHandler(v -> reader.ended.tryComplete());
              response.exceptionHandler(err -> reader.ended.tryComplete());
              return Future.succeededFuture(response);
            })
            .onComplete(opened));
    reader.response = Await.result(opened.future());
    return reader;
  }

  public static SseReader open(Vertx vertx, int port, String uri) {
    return open(vertx, port, uri, null);
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.getHeader(name);
  }

  /** The body of a non-200 answer. */
  public JsonObject errorBody() {
    return new JsonObject(body);
  }

  public Event next(String eventName) {
    return events.await(e -> eventName.equals(e.event()), "SSE event " + eventName);
  }

  /** The JSON of the next {@code count} {@code message} events, e.g. a replay of some channels. */
  public List<JsonObject> nextMessages(int count) {
    List<JsonObject> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(next("message").json());
    }
    return messages;
  }

  /** The offsets of the messages of {@code channel} among {@code messages}, in their order. */
  public static List<String> offsetsOf(List<JsonObject> messages, String channel) {
    return messages.stream()
        .filter(m -> channel.equals(m.getString("channel")))
        .map(m -> m.getString("offset"))
        .toList();
  }

  public void expectNo(String eventName) {
    events.expectNone(e -> eventName.equals(e.event()), "SSE event " + eventName);
  }

  /**
   * Waits for the first {@code id:} the stream sets. The server sends one (without data) once every
   * channel is subscribed, so before anything is published this is the "stream is live" signal and
   * the resume point of a client that has received nothing yet.
   */
  public String firstId() {
    return Await.result(firstId.future());
  }

  /** The last {@code id:} the stream set, as a browser would send it back in Last-Event-ID. */
  public synchronized String lastEventId() {
    return lastId;
  }

  public List<Event> received() {
    return events.snapshot();
  }

  /** Stops reading the stream, as a stuck client would. */
  public void pauseReading() {
    response.pause();
  }

  public void resumeReading() {
    response.resume();
  }

  public void awaitEnd() {
    Await.result(ended.future());
  }

  public void close() {
    client.close();
  }

  private synchronized void feed(Buffer chunk) {
    pending.append(chunk.toString());
    int newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      String line = pending.substring(0, newline);
      pending.delete(0, newline + 1);
      line(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }
  }

  private void line(String line) {
    if (line.isEmpty()) {
      if (id != null) {
        lastId = id;
        firstId.tryComplete(id);
      }
      if (data != null) {
        events.add(new Event(lastId, event == null ? "message" : event, data.toString()));
      }
      id = null;
      event = null;
      data = null;
      return;
    }
    if (line.startsWith(":")) {
      events.add(new Event(null, ":", line.substring(1).trim()));
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
    switch (field) {
      case "id" -> id = value;
      case "event" -> event = value;
      case "data" ->
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      case "retry" -> events.add(new Event(null, "retry", value));
      default -> {}
    }
  }
}
