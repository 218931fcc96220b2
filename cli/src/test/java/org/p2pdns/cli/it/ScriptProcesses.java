package org.p2pdns.cli.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the repository's scripts (scripts/p2pdns, p2p-node, dns-frontend, p2pdns-up, ...) as a user
 * would, for the end-to-end tests: a command that runs to completion ({@link #run}) or a daemon in
 * the foreground ({@link #start}) whose ready file is awaited. Every process it starts is killed by
 * {@link #close}, also when a test fails half-way. Output goes to files in the work directory, so
 * a failure message can quote it and a chatty process can never block on a full pipe.
 */
final class ScriptProcesses implements AutoCloseable {
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Path root = repositoryRoot();
  private final Path work;
  private final Map<String, String> environment = new HashMap<>();
  private final List<Daemon> daemons = new ArrayList<>();
  private int sequence;

  /** What a command printed and how it ended. */
  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** A daemon started by {@link #start}: its script's process (the JVM: the scripts exec java). */
  record Daemon(String name, Process process, Path log) {
    String logText() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e.getMessage() + ")";
      }
    }
  }

  /**
   * @param work the working directory of every process, also their HOME (so nothing reads or
   *     writes the real ~/.p2pdns), and where their output files go
   */
  ScriptProcesses(Path work) {
    this.work = work;
    environment.put("HOME", work.toString());
    environment.put("P2PDNS_START_TIMEOUT", "120");
  }

  /** Sets (or, with null, removes) an environment variable of every process started after. */
  ScriptProcesses env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  static Path repositoryRoot() {
    Path p = Path.of("").toAbsolutePath();
    for (int i = 0; i < 5 && p != null; i++, p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/p2pdns-up"))) {
        return p;
      }
    }
    throw new IllegalStateException("no scripts/p2pdns-up above " + Path.of("").toAbsolutePath());
  }

  private ProcessBuilder builder(String script, String... args) {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("scripts").resolve(script).toString());
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = pb.environment();
    env.remove("P2PDNS_PASSPHRASE");
    environment.forEach((k, v) -> {
      if (v == null) {
        env.remove(k);
      } else {
        env.put(k, v);
      }
    });
    return pb;
  }

  /** Runs a script to its end; kills it (and fails) when it takes longer than {@code timeout}. */
  Run run(Duration timeout, String script, String... args)
      throws IOException, InterruptedException {
    int n = ++sequence;
    Path out = work.resolve(script + "-" + n + ".out");
    Path err = work.resolve(script + "-" + n + ".err");
    Process p = builder(script, args).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill(p.toHandle());
      throw new AssertionError(script + " " + String.join(" ", args) + " did not finish within "
          + timeout + ": " + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Starts a daemon script in the background; its stdout and stderr go to {@code name.log}. */
  Daemon start(String name, String script, String... args) throws IOException {
    Path log = work.resolve(name + ".log");
    Process p = builder(script, args).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Daemon d = new Daemon(name, p, log);
    synchronized (daemons) {
      daemons.add(d);
    }
    return d;
  }

  /**
   * Waits for the daemon's ready file (written atomically once all its sockets are bound) and
   * returns its {@code key=value} lines. Fails at once, with the daemon's log, when the daemon
   * exits first; fails after {@code max} when it never gets ready.
   */
  static Map<String, String> awaitReady(Daemon d, Path readyFile, Duration max)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() - deadline < 0) {
      Optional<Map<String, String>> ready = readReady(readyFile);
      if (ready.isPresent() && ready.get().get("pid") != null
          && Long.parseLong(ready.get().get("pid")) == d.process().pid()) {
        return ready.get();
      }
      if (!d.process().isAlive()) {
        throw new AssertionError(d.name() + " exited (" + d.process().exitValue()
            + ") before it was ready:\n" + d.logText());
      }
      Thread.sleep(50);
    }
    throw new AssertionError(d.name() + " not ready within " + max + ":\n" + d.logText());
  }

  /** The {@code key=value} lines of a ready file, or empty when there is none. */
  static Optional<Map<String, String>> readReady(Path readyFile) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(readyFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String l : lines) {
      int eq = l.indexOf('=');
      if (eq > 0) {
        out.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    return Optional.of(out);
  }

  /** Kills a process and whatever it started (a script may be running Maven), and waits. */
  static void kill(ProcessHandle p) {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(0, p);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // Reported by the caller's checks if it matters; teardown goes on with the others.
      }
    }
  }

  /** Kills every daemon this started that still runs, also those a test restarted. */
  @Override
  public void close() {
    List<Daemon> copy;
    synchronized (daemons) {
      copy = new ArrayList<>(daemons);
    }
    for (Daemon d : copy) {
      d.process().descendants().forEach(ProcessHandle::destroyForcibly);
      d.process().destroyForcibly();
    }
    for (Daemon d : copy) {
      kill(d.process().toHandle());
    }
  }
}
