package io.switchboard.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the machine and JVM that the run depends on and the report records. */
final class Machine {
  private Machine() {}

  /**
   * Cores of the machine. The bench JVM is pinned to one core, so availableProcessors() says 1;
   * scripts/bench passes the real count before pinning.
   */
  static int nproc() {
    String fromScript = System.getenv("SWITCHBOARD_BENCH_NPROC");
    if (fromScript != null && fromScript.matches("\\d+")) {
      return Integer.parseInt(fromScript);
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /** Servers go on core 0 and the bench on core 1 only when there are two cores and taskset. */
  static boolean pinning() {
    return nproc() >= 2 && taskset() != null;
  }

  static String taskset() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "taskset");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  /** The java binary of this JVM, so child servers run on the same version. */
  static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String jcmdCommand() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    return Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
  }

  static String javaVersion() {
    return System.getProperty("java.vm.name") + " " + Runtime.version();
  }
}
