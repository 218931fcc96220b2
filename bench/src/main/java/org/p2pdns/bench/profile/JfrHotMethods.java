package org.p2pdns.bench.profile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the samples of a JFR recording, threads in Java code ({@code jdk.ExecutionSample})
 * and threads in native code ({@code jdk.NativeMethodSample}) apart: the methods where the samples
 * stopped (self) and the methods on the stack of a sample (total), each as a share of all samples
 * of its kind, and the same by thread. What {@code jfr print} shows one stack at a time, counted,
 * since async-profiler is not available here. JFR does not see time in the kernel or waiting for
 * a CPU: read it next to the CPU times of the benchmark.
 *
 * <p>Usage: {@code JfrHotMethods RECORDING.jfr [TOP]}
 */
public final class JfrHotMethods {
  private JfrHotMethods() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: JfrHotMethods RECORDING.jfr [TOP]");
      System.exit(2);
    }
    int top = args.length == 2 ? Integer.parseInt(args[1]) : 25;
    summarise(Path.of(args[0]), top, System.out);
  }

  static void summarise(Path recording, int top, PrintStream out) throws IOException {
    summarise(recording, "jdk.ExecutionSample", "in Java code", top, out);
    out.println();
    summarise(recording, "jdk.NativeMethodSample", "in native code (system calls, waits)", top,
        out);
  }

  static void summarise(Path recording, String eventType, String what, int top, PrintStream out)
      throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> total = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    int samples = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        if (!e.getEventType().getName().equals(eventType)) {
          continue;
        }
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        List<RecordedFrame> frames = st.getFrames();
        self.merge(name(frames.get(0)), 1, Integer::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
          String m = name(f);
          if (seen.add(m)) {
            total.merge(m, 1, Integer::sum);
          }
        }
        String thread = e.getThread("sampledThread") != null
            ? e.getThread("sampledThread").getJavaName() : "?";
        threads.merge(thread == null ? "?" : thread.replaceAll("-\\d+$", "-N"), 1, Integer::sum);
      }
    }
    out.printf("%,d %s samples (%s)%n", samples, eventType, what);
    if (samples == 0) {
      return;
    }
    print(out, "self (top frame)", self, samples, top);
    print(out, "total (anywhere on the stack)", total, samples, top);
    print(out, "by thread", threads, samples, top);
  }

  private static void print(PrintStream out, String title, Map<String, Integer> counts,
      int samples, int top) {
    out.println();
    out.println(title + ":");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(en -> out.printf("  %5.1f%%  %s%n", 100.0 * en.getValue() / samples,
            en.getKey()));
  }

  private static String name(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null) {
      return "?";
    }
    return m.getType().getName() + "." + m.getName();
  }
}
