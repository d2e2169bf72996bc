package io.switchboard.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

  /**
   * Servers go on core 0 and the bench on core 1 only when there are two cores and taskset. Every
   * process of a server side shares core 0: the single node, or a cluster's two nodes and its
   * redis-server.
   */
  static boolean pinning() {
    return nproc() >= 2 && taskset() != null;
  }

  /** The words to put before a server's command: {@code taskset -c 0} when pinning. */
  static List<String> serverCore() {
    return pinning() ? List.of(taskset(), "-c", "0") : List.of();
  }

  static String taskset() {
    return onPath("taskset");
  }

  /** The executable {@code name} in a directory of PATH, or null. */
  static String onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
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

  /** {@code redis-server --version}, or why it is unknown. */
  static String redisVersion() {
    String binary = onPath("redis-server");
    if (binary == null) {
      return "not installed";
    }
    try {
      Process process =
          new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
      String version = new String(process.getInputStream().readAllBytes()).trim();
      process.waitFor();
      return version;
    } catch (IOException e) {
      return "unknown: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown: interrupted";
    }
  }

  /**
   * Busy CPU time of the whole machine so far, in clock ticks (the {@code cpu} line of
   * /proc/stat: user, nice, system, irq, softirq, steal); -1 where there is no /proc.
   */
  static long machineBusyTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU time (user + system) of process {@code pid} so far, in clock ticks; 0 if unreadable. */
  static long processTicks(long pid) {
    try {
      return threadTicks(Path.of("/proc", Long.toString(pid)));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** utime + stime of a /proc/PID or /proc/PID/task/TID directory. */
  private static long threadTicks(Path dir) throws IOException {
    String stat = Files.readString(dir.resolve("stat"));
    // fields after the command name, which is in parentheses and may hold spaces
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
  }

  /**
   * CPU time (user + system) the JIT compiler threads of process {@code pid} took so far, in clock
   * ticks (threads /proc names "C1 CompilerThre..." and "C2 CompilerThre..."); 0 if unreadable.
   * A JVM that still compiles is not warm yet: reports show this share apart.
   */
  static long compilerTicks(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    long ticks = 0;
    try (var threads = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) threads::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
            ticks += threadTicks(task);
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return ticks;
  }

  /** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
  static final int TICKS_PER_SECOND = 100;

  static String javaVersion() {
    return System.getProperty("java.vm.name") + " " + Runtime.version();
  }
}
