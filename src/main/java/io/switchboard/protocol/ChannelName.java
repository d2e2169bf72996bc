package io.switchboard.protocol;

import java.util.regex.Pattern;

/** Channel names of PROTOCOL.md section 2: {@code ns:rest}, or no colon for the default namespace. */
public final class ChannelName {
  public static final int MAX_LENGTH = 255;
  private static final Pattern VALID =
      Pattern.compile("[A-Za-z0-9_\\-:.@/=]{1," + MAX_LENGTH + "}");

  private ChannelName() {}

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /** Throws {@code bad_request} unless the name is valid. */
  public static String require(String name) {
    if (!isValid(name)) {
      throw new SwitchboardException(
          ErrorCode.BAD_REQUEST, "channel must be 1-255 characters of A-Z a-z 0-9 _ - : . @ / =");
    }
    return name;
  }

  /** The namespace: the part before the first colon, or "" for the default namespace. */
  public static String namespaceOf(String name) {
    int colon = name.indexOf(':');
    return colon < 0 ? "" : name.substring(0, colon);
  }
}
