package io.switchboard.auth;

import java.security.MessageDigest;
import java.util.List;

/**
 * The configured API keys. A presented key is compared with every configured one in constant
 * time (on SHA-256 digests, so neither content nor length leaks through timing).
 */
public final class ApiKeys {
  private final List<byte[]> digests;

  public ApiKeys(List<String> keys) {
    this.digests = keys.stream().map(Sha256::of).toList();
  }

  public boolean isEmpty() {
    return digests.isEmpty();
  }

  /** The index of the matching key (a caller id that does not reveal the key), or -1. */
  public int match(String presented) {
    byte[] candidate = Sha256.of(presented);
    int found = -1;
    for (int i = 0; i < digests.size(); i++) {
      // no early exit: every key is compared whatever matched
      if (MessageDigest.isEqual(digests.get(i), candidate)) {
        found = i;
      }
    }
    return found;
  }
}
