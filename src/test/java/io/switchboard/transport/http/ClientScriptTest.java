package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /switchboard.js} serves clients/js/switchboard.js itself (the build copies it into
 * the jar), as a JavaScript module any origin may import.
 */
@ExtendWith(VertxExtension.class)
class ClientScriptTest {
  private record Answer(int status, MultiMap headers, String body) {}

  @Test
  void servesTheClientAsAModuleAnyOriginMayImport(Vertx vertx) throws IOException {
    TestNode node = TestNode.start(vertx);
    HttpClient http = vertx.createHttpClient();
    try {
      String file = Files.readString(
          Path.of(System.getProperty("basedir", "."), "clients", "js", "switchboard.js"));
      RequestOptions get = new RequestOptions()
          .setHost("127.0.0.1")
          .setPort(node.port())
          .setURI("/switchboard.js")
          .putHeader("Origin", "https://app.example");
      // on a context, as TestNode's exchanges: the response must not arrive before body() is set
      Promise<Answer> answer = Promise.promise();
      vertx
          .getOrCreateContext()
          .runOnContext(v -> http.request(get)
              .compose(HttpClientRequest::send)
              .compose(response -> response
                  .body()
                  .map(body ->
                      new Answer(response.statusCode(), response.headers(), body.toString())))
              .onComplete(answer));
      Answer served = Await.result(answer.future());
      assertEquals(200, served.status());
      assertEquals("text/javascript;charset=UTF-8", served.headers().get("Content-Type"));
      assertEquals("*", served.headers().get("Access-Control-Allow-Origin"));
      assertEquals(file, served.body(), "the file in clients/js, byte for byte");
    } finally {
      http.close();
      node.close();
    }
  }
}
