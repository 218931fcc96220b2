#!/usr/bin/env bash
# The propagation benchmark of issue 3 (docs/performance.md, "The network"): N node processes on
# this machine, each on its own loopback address, and the time from submitting a record at one of
# them to its change notice at every one.
#
#   bench/propagation-bench.sh [--nodes N] [--records M] [--warmup W] [--seeds K] [--pow-bits B]
#                              [--heap SIZE] [--gap DURATION] [--disk] [--no-build] [--keep]
#                              [--java-opts OPTS] [--profile]
#
# One command: builds (mvn -q -DskipTests -pl p2p-node,bench -am package), starts N nodes
# (default 20) with scripts/p2p-node, node i on 127.0.0.(i+1) with a peer port it picks itself,
# control and change feed on 127.0.0.1:* (the ready files give the endpoints), small heaps
# (-Xmx$HEAP -XX:+UseSerialGC through P2PDNS_JAVA_OPTS). Node 1 starts first; nodes 2..K (the
# seeds, default 3) bootstrap to node 1; every other node bootstraps to the K seeds (their ids
# pinned). Then org.p2pdns.bench.net.PropagationBenchmark waits until every node is linked to
# every other, subscribes to every change feed, submits W warm-up claims (default 500, 20 at a
# time) and then M measured ones (default 100) one after another at random nodes, all pre-signed
# with network.pow-bits=B (default 4), and reports p50/p95/max of "present at all nodes" and the
# share within 1 s.
#
# Data dirs are in /dev/shm unless --disk (the nodes commit with fsync; N nodes sharing one disk
# is not what N machines do). Everything started is stopped on exit and on Ctrl-C (TERM, then KILL
# after 10 s). Results: bench/out/propagation-<UTC time>/ (summary.txt, records.tsv, node logs).
# --java-opts: more JVM options for every node (e.g. -XX:TieredStopAtLevel=1).
# --keep: keep the data dirs. --profile: node 1 runs with JFR; its hot methods are printed at the
# end (org.p2pdns.bench.profile.JfrHotMethods; the figures of a profiled run are not the ones to
# quote).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODES=20
RECORDS=100
WARMUP=500
SEEDS=3
POW_BITS=4
HEAP=64m
GAP=100ms
DISK=0
BUILD=1
KEEP=0
PROFILE=0
JAVA_OPTS_EXTRA=""

usage() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --pow-bits) POW_BITS=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --gap) GAP=$2; shift 2 ;;
    --disk) DISK=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --profile) PROFILE=1; shift ;;
    --java-opts) JAVA_OPTS_EXTRA=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "propagation-bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for v in NODES RECORDS WARMUP SEEDS POW_BITS; do
  case "${!v}" in ''|*[!0-9]*) echo "propagation-bench: $v must be a whole number" >&2; exit 2 ;; esac
done
# Node i listens on 127.0.0.(i+1): .2 up to .254.
if [ "$NODES" -lt 2 ] || [ "$NODES" -gt 253 ]; then
  echo "propagation-bench: --nodes between 2 and 253" >&2; exit 2
fi
if [ "$SEEDS" -lt 1 ] || [ "$SEEDS" -gt "$NODES" ]; then
  echo "propagation-bench: --seeds between 1 and --nodes" >&2; exit 2
fi

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v java >/dev/null || die "java (17+) is not on PATH"

# --- state and cleanup -------------------------------------------------------------------------
if [ "$DISK" -eq 0 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  WORK=$(mktemp -d /dev/shm/p2pdns-propagation.XXXXXX)
else
  WORK=$(mktemp -d /tmp/p2pdns-propagation.XXXXXX)
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/out/propagation-$STAMP"
mkdir -p "$OUT/logs"
PIDS=()

cleanup() {
  local rc=$? pid i alive
  trap - EXIT INT TERM
  if [ ${#PIDS[@]} -gt 0 ]; then
    log "stopping ${#PIDS[@]} processes"
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for i in $(seq 100); do
      alive=0
      for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1 && break; done
      [ "$alive" -eq 0 ] && break
      sleep 0.1
    done
    for pid in "${PIDS[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then
        log "process $pid did not stop in 10 s: KILL"
        kill -9 "$pid" 2>/dev/null || true
      fi
    done
  fi
  if [ "$KEEP" -eq 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------
if [ "$BUILD" -eq 1 ]; then
  log "building (mvn -q -DskipTests -pl p2p-node,bench -am package)"
  (cd "$ROOT" && mvn -q -B -DskipTests -pl p2p-node,bench -am package) || die "build failed"
fi
for jar in p2p-node/target/p2p-node.jar bench/target/bench.jar; do
  [ -f "$ROOT/$jar" ] || die "$jar missing: build first (mvn -q -DskipTests package)"
done

# --- nodes -------------------------------------------------------------------------------------
# start_node I BOOTSTRAP: node I in the background through the real script; sets STARTED_PID.
start_node() {
  local i=$1 bootstrap=$2 args opts="-Xmx$HEAP -XX:+UseSerialGC $JAVA_OPTS_EXTRA"
  if [ "$PROFILE" -eq 1 ] && [ "$i" -eq 1 ]; then
    opts="$opts -XX:StartFlightRecording=filename=$OUT/node1.jfr,settings=profile,dumponexit=true"
  fi
  mkdir -p "$WORK/node$i"
  args=(--data-dir "$WORK/node$i" --listen "127.0.0.$((i + 1)):0" --control 'tcp://127.0.0.1:*'
    --set 'node.feed=tcp://127.0.0.1:*' --set "network.pow-bits=$POW_BITS"
    --ready-file "$WORK/node$i/node.ready")
  [ -n "$bootstrap" ] && args+=(--bootstrap "$bootstrap")
  P2PDNS_NO_BUILD=1 P2PDNS_JAVA_OPTS="$opts" \
    "$ROOT/scripts/p2p-node" "${args[@]}" >"$OUT/logs/node$i.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# await_ready I SECONDS: waits for node I's ready file; dies when the node exits or is too slow.
await_ready() {
  local i=$1 secs=$2 pid=${PIDS[$(($1 - 1))]} t
  for t in $(seq $((secs * 10))); do
    [ -s "$WORK/node$i/node.ready" ] && return 0
    kill -0 "$pid" 2>/dev/null || die "node $i exited before it was ready (log: $OUT/logs/node$i.log)"
    sleep 0.1
  done
  die "node $i not ready within $secs s (log: $OUT/logs/node$i.log)"
}
ready_value() { sed -n "s/^$2=//p" "$1" | head -1; }
pinned() { echo "$(ready_value "$WORK/node$1/node.ready" node-id)@$(ready_value "$WORK/node$1/node.ready" peer)"; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before: $LOAD_BEFORE; $(nproc) CPUs; $(awk '/MemAvailable/ {printf "%d MB", $2/1024}' /proc/meminfo) available"
T_START=$(date +%s)
log "starting node 1 (127.0.0.2)"
start_node 1 ""
await_ready 1 120
SEED_LIST=$(pinned 1)
if [ "$SEEDS" -gt 1 ]; then
  log "starting seeds 2..$SEEDS (bootstrap: node 1)"
  for i in $(seq 2 "$SEEDS"); do start_node "$i" "$SEED_LIST"; done
  for i in $(seq 2 "$SEEDS"); do await_ready "$i" 180; done
  for i in $(seq 2 "$SEEDS"); do SEED_LIST="$SEED_LIST,$(pinned "$i")"; done
fi
if [ "$NODES" -gt "$SEEDS" ]; then
  log "starting nodes $((SEEDS + 1))..$NODES (bootstrap: the $SEEDS seeds)"
  for i in $(seq $((SEEDS + 1)) "$NODES"); do start_node "$i" "$SEED_LIST"; done
  for i in $(seq $((SEEDS + 1)) "$NODES"); do await_ready "$i" 300; done
fi
log "$NODES nodes ready in $(($(date +%s) - T_START)) s"

READY=()
for i in $(seq 1 "$NODES"); do READY+=("$WORK/node$i/node.ready"); done

# --- measure -----------------------------------------------------------------------------------
# The benchmark's own log: warnings only (the JeroMQ client logs every connection at DEBUG).
cat >"$WORK/logback.xml" <<'LOGBACK'
<configuration>
  <appender name="err" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="err"/></root>
</configuration>
LOGBACK
# In the background and waited for: a TERM to this script then stops it at once (bash runs a
# trap only after a foreground command has finished).
java -Xmx256m -Dlogback.configurationFile="$WORK/logback.xml" -cp "$ROOT/bench/target/bench.jar:$ROOT/bench/target/lib/*" \
  org.p2pdns.bench.net.PropagationBenchmark --records "$RECORDS" --warmup "$WARMUP" \
  --gap "$GAP" --set "network.pow-bits=$POW_BITS" --out "$OUT/records.tsv" "${READY[@]}" \
  >"$OUT/benchmark.txt" 2>&1 &
BENCH_PID=$!
PIDS+=("$BENCH_PID")
tail -n +1 -f --pid="$BENCH_PID" "$OUT/benchmark.txt" &
TAIL_PID=$!
RC=0
wait "$BENCH_PID" || RC=$?
wait "$TAIL_PID" || true
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

RSS_KB=0
for pid in "${PIDS[@]}"; do
  r=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  RSS_KB=$((RSS_KB + ${r:-0}))
done
{
  echo "command: bench/propagation-bench.sh --nodes $NODES --records $RECORDS --warmup $WARMUP --seeds $SEEDS --pow-bits $POW_BITS --heap $HEAP --gap $GAP$([ "$DISK" -eq 1 ] && echo ' --disk')${JAVA_OPTS_EXTRA:+ --java-opts '$JAVA_OPTS_EXTRA'}"
  echo "data dirs: $WORK ($([ "$DISK" -eq 1 ] && echo disk || echo memory))"
  echo "load average before: $LOAD_BEFORE; after: $LOAD_AFTER; $(nproc) CPUs"
  echo "node processes: $NODES, resident memory together $((RSS_KB / 1024)) MB"
  echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  cat "$OUT/benchmark.txt"
} >"$OUT/summary.txt"
log "summary: $OUT/summary.txt"
if [ "$PROFILE" -eq 1 ]; then
  # The recording is written when node 1 stops.
  kill "${PIDS[0]}" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "${PIDS[0]}" 2>/dev/null || break; sleep 0.1; done
  java -Xmx512m -cp "$ROOT/bench/target/bench.jar:$ROOT/bench/target/lib/*" \
    org.p2pdns.bench.profile.JfrHotMethods "$OUT/node1.jfr" 30 | tee "$OUT/node1-profile.txt"
fi
exit "$RC"
