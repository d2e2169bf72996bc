package io.switchboard.plugin;

/** An application verticle that did not start: the node does not start either. */
public final class PluginFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PluginFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
