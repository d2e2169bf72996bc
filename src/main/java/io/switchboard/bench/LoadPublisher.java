package io.switchboard.bench;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes at a paced rate over an HTTP/1.1 keep-alive pool. A 1 ms timer works out how many
 * messages are due since the start and sends them, as long as fewer than {@code inFlight}
 * requests are outstanding; when the server is slower than the rate the publisher falls behind
 * and {@link Result#publishedPerSecond()} shows it. {@code t} is taken when the request is
 * written, so pool waits are not counted as delivery latency.
 *
 * <p>All state is touched only by the publisher's own context.
 */
final class LoadPublisher implements AutoCloseable {
  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent http;
  private final Target target;
  private final String host;
  private final int port;
  private final int inFlightMax;
  private final String[] channels;
  private long nextSeq;
  /** Set by another thread to end a run early (the storm stops once everyone recovered). */
  private volatile boolean stopRequested;

  /** Outcome of one {@link #run}. {@code ok} publications were acknowledged with 200. */
  record Result(
      long attempted,
      long ok,
      long[] okPerChannel,
      long failed,
      long elapsedNanos,
      String firstFailure) {
    double publishedPerSecond() {
      return elapsedNanos == 0 ? 0 : ok * 1e9 / elapsedNanos;
    }
  }

  LoadPublisher(
      Vertx vertx, Target target, String host, int port, int inFlightMax, String[] channels) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.target = target;
    this.host = host;
    this.port = port;
    this.inFlightMax = inFlightMax;
    this.channels = channels;
    this.http = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setConnectTimeout(10_000),
        new PoolOptions().setHttp1MaxSize(inFlightMax));
  }

  /**
   * Publishes {@code rate} msgs/s for {@code durationMs}, then waits for the outstanding
   * requests (at most {@code timeoutMs} in all). Sequence numbers continue across runs, and
   * message s goes to channel s % channels, which is what {@link Subscriber} expects.
   */
  Result run(double rate, long durationMs, long timeoutMs) throws Exception {
    stopRequested = false;
    Promise<Result> done = Promise.promise();
    AtomicReference<Runnable> stop = new AtomicReference<>();
    context.runOnContext(v -> new Run(rate, durationMs, done, stop).start());
    try {
      return done.future()
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      context.runOnContext(v -> stop.get().run());
      return done.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  private final class Run {
    private final double rate;
    private final long durationNanos;
    private final Promise<Result> done;
    private final long firstSeq = nextSeq;
    private long start;
    private long timer;
    private long sent;
    private long ok;
    private final long[] okPerChannel = new long[channels.length];
    private long failed;
    private int inFlight;
    private boolean stopped;
    private String firstFailure;

    Run(double rate, long durationMs, Promise<Result> done, AtomicReference<Runnable> stop) {
      this.rate = rate;
      this.durationNanos = TimeUnit.MILLISECONDS.toNanos(durationMs);
      this.done = done;
      stop.set(() -> {
        failure("publisher timed out with " + inFlight + " requests outstanding");
        stopped = true;
        inFlight = 0;
        finish();
      });
    }

    void start() {
      start = System.nanoTime();
      timer = vertx.setPeriodic(1, id -> tick());
      tick();
    }

    private void tick() {
      long elapsed = System.nanoTime() - start;
      boolean over = elapsed >= durationNanos || stopRequested;
      long due = (long) (Math.min(elapsed, durationNanos) * rate / 1e9) + 1;
      while (!stopped && sent < due && inFlight < inFlightMax && !over) {
        send();
      }
      if (over) {
        vertx.cancelTimer(timer);
        stopped = true;
        finish();
      }
    }

    private void send() {
      long seq = nextSeq++;
      String channel = channels[(int) (seq % channels.length)];
      sent++;
      inFlight++;
      http.request(HttpMethod.POST, port, host, target.publishUri(channel))
          .compose(req -> req.putHeader("content-type", "application/json")
              .send(target.publishBody(channel, System.nanoTime(), seq)))
          .compose(resp -> resp.body().map(body -> {
            if (resp.statusCode() != 200) {
              throw new IllegalStateException("HTTP " + resp.statusCode() + " " + body);
            }
            return body;
          }))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              ok++;
              okPerChannel[(int) (seq % channels.length)]++;
            } else {
              failed++;
              failure(ar.cause().toString());
            }
            inFlight--;
            finish();
          });
    }

    private void failure(String message) {
      if (firstFailure == null) {
        firstFailure = message;
      }
    }

    private void finish() {
      if (stopped && inFlight <= 0) {
        done.tryComplete(new Result(
            nextSeq - firstSeq,
            ok,
            okPerChannel.clone(),
            failed,
            System.nanoTime() - start,
            firstFailure));
      }
    }
  }

  /** Ends the current {@link #run} at its next tick, as if its duration had passed. */
  void requestStop() {
    stopRequested = true;
  }

  @Override
  public void close() {
    try {
      http.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("bench: closing the publisher did not finish in time: " + e);
    }
  }
}
