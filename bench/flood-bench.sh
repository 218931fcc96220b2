#!/usr/bin/env bash
# The flood benchmark of issue 5 (docs/performance.md, "Under flood"): a hostile peer sends
# invalid records to a node as fast as its link allows while the node's front-end is measured.
#
#   bench/flood-bench.sh [--flood-seconds S] [--names N] [--pow-bits B] [--flooder-cpu C]
#                        [--no-build] [--keep]
#
# One command, 127.0.0.1 only: builds (mvn -q -DskipTests package), starts a node (data dir in
# /dev/shm) and a front-end from their jars, loads N signed names (RecordLoader), pins the node
# and the front-end to CPU 1 and dnsperf to CPU 0 (shared/PERFORMANCE.md, as bench/dns-bench.sh
# does), fills the front-end's cache, then measures the front-end's cached UDP rate in the same
# run:
#   before  dnsperf -l 20, no flood;
#   flood   the flooder (org.p2pdns.bench.flood.FloodPeer, CPU 0 beside dnsperf, at nice 19 so it
#           takes the client core's spare time, not dnsperf's) pushes records
#           with broken signatures for S seconds (default 60), as fast as its link takes them,
#           taking a fresh identity whenever the node bans it; dnsperf runs from 5 s after the
#           flood starts until 5 s before it ends;
#   flood2  the same with validly signed claims of a name someone else holds (refused NOT_OWNER
#           or RATE_LIMITED: an honest node could relay them, so they never ban the sender and
#           only the per-link rate limit bounds them; signed before the flood starts);
#   after   dnsperf -l 20 once the floods are over.
# The node's memory (RSS from /proc, Java heap used from jcmd GC.heap_info) is sampled every 2 s
# throughout. Results: bench/out/flood-<UTC time>/ (summary.txt, memory.tsv, raw outputs).
# --flood-seconds 20 makes a short smoke run (dnsperf then runs 10 s of it). --flooder-cpu 1 puts
# the flooder on the server's core instead (the worst case for the server; dnsperf alone on CPU 0).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FLOOD_SECONDS=60
NAMES=20000
POW_BITS=4
BUILD=1
KEEP=0
PHASE_SECONDS=20
DNSPERF_SETTING=(-m udp -c 4 -q 500)
SERVER_CPU=1
CLIENT_CPU=0
FLOODER_CPU=0
JVM_HEAP=${BENCH_JVM_HEAP:-512m}

usage() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --flood-seconds) FLOOD_SECONDS=$2; shift 2 ;;
    --names) NAMES=$2; shift 2 ;;
    --pow-bits) POW_BITS=$2; shift 2 ;;
    --flooder-cpu) FLOODER_CPU=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "flood-bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$FLOOD_SECONDS" in ''|*[!0-9]*) echo "flood-bench: --flood-seconds is whole seconds" >&2; exit 2 ;; esac
[ "$FLOOD_SECONDS" -ge 20 ] && [ "$FLOOD_SECONDS" -le 600 ] \
  || { echo "flood-bench: --flood-seconds between 20 and 600" >&2; exit 2; }

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for tool in dnsperf dig taskset jcmd java; do
  command -v "$tool" >/dev/null || die "missing $tool (Debian: apt-get install -y dnsperf dnsutils util-linux; a JDK for jcmd)"
done
[ "$(nproc --all)" -ge 2 ] || die "pinning needs 2 CPUs"

if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  WORK=$(mktemp -d /dev/shm/p2pdns-flood.XXXXXX)
else
  WORK=$(mktemp -d /tmp/p2pdns-flood.XXXXXX)
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/out/flood-$STAMP"
mkdir -p "$OUT/runs"
PIDS=()

stop_pid() {
  local pid=$1 name=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "$name ($pid) did not stop in 10 s: KILL"
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${PIDS[$i]%%:*}" "${PIDS[$i]#*:}"
  done
  if [ "$KEEP" -eq 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready_file() {  # wait_ready_file FILE PID NAME SECONDS
  local file=$1 pid=$2 name=$3 secs=$4 i
  for i in $(seq $((secs * 10))); do
    [ -s "$file" ] && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited before it was ready (log: $OUT/$name.log)"
    sleep 0.1
  done
  die "$name not ready within $secs s (log: $OUT/$name.log)"
}
ready_value() { sed -n "s/^$2=//p" "$1" | head -1; }

# --- build, node, names, front-end --------------------------------------------------------------
if [ "$BUILD" -eq 1 ]; then
  log "building (mvn -q -DskipTests package)"
  (cd "$ROOT" && mvn -q -DskipTests package) || die "build failed"
fi
for jar in p2p-node/target/p2p-node.jar dns-frontend/target/dns-frontend.jar \
    bench/target/bench.jar cli/target/cli.jar; do
  [ -f "$ROOT/$jar" ] || die "$jar missing: build first (mvn -q -DskipTests package)"
done
BENCH_CP="$ROOT/bench/target/bench.jar:$ROOT/bench/target/lib/*"

log "starting the node (data dir $WORK/node, network.pow-bits=$POW_BITS)"
mkdir -p "$WORK/node"
java -Xmx$JVM_HEAP -cp "$ROOT/p2p-node/target/p2p-node.jar:$ROOT/p2p-node/target/lib/*" \
  org.p2pdns.node.NodeMain --data-dir "$WORK/node" --listen 127.0.0.1:0 \
  --control 'tcp://127.0.0.1:*' --set "network.pow-bits=$POW_BITS" \
  --ready-file "$WORK/node.ready" >"$OUT/node.log" 2>&1 &
NODE_PID=$!
PIDS+=("$NODE_PID:node")
wait_ready_file "$WORK/node.ready" "$NODE_PID" node 60
CONTROL=$(ready_value "$WORK/node.ready" control)
NODE_ID=$(ready_value "$WORK/node.ready" node-id)
PEER=$(ready_value "$WORK/node.ready" peer)
log "node ready: control $CONTROL, peer $NODE_ID@$PEER"

log "loading $NAMES names"
java -Xmx512m -cp "$BENCH_CP" org.p2pdns.bench.load.RecordLoader --node "$CONTROL" \
  --out "$WORK/files" --names "$NAMES" --warm-names 1000 --forwarded-names 100 \
  --set "network.pow-bits=$POW_BITS" >"$OUT/load.txt" 2>&1 || die "loading failed ($OUT/load.txt)"

taskset -a -p -c "$SERVER_CPU" "$NODE_PID" >/dev/null
log "starting the front-end (CPU $SERVER_CPU)"
taskset -c "$SERVER_CPU" java -Xmx$JVM_HEAP \
  -cp "$ROOT/dns-frontend/target/dns-frontend.jar:$ROOT/dns-frontend/target/lib/*" \
  org.p2pdns.frontend.FrontendMain --listen 127.0.0.1:0 --node "$CONTROL" \
  --upstream 127.0.0.1:9 --set "frontend.cache-size=$((NAMES + 10000))" \
  --ready-file "$WORK/frontend.ready" >"$OUT/frontend.log" 2>&1 &
FE_PID=$!
PIDS+=("$FE_PID:frontend")
wait_ready_file "$WORK/frontend.ready" "$FE_PID" frontend 60
FE_ADDR=$(ready_value "$WORK/frontend.ready" dns)
FE_PORT=${FE_ADDR##*:}
for i in $(seq 20); do
  got=$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$FE_PORT" n0000001.p2p A 2>/dev/null || true)
  [ "$got" = 10.0.0.1 ] && break
  [ "$i" -lt 20 ] || die "the front-end does not answer n0000001.p2p (got '$got')"
  sleep 1
done
log "front-end ready on 127.0.0.1:$FE_PORT"

# --- measuring ---------------------------------------------------------------------------------
HZ=$(getconf CLK_TCK)
ticks() { if [ -r "/proc/$1/stat" ]; then sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; else echo 0; fi; }
PHASE_FILE="$WORK/phase"
echo setup >"$PHASE_FILE"
MEM="$OUT/memory.tsv"
printf 'phase\tseconds\tnode_rss_mb\tnode_heap_used_mb\n' >"$MEM"
T0=$(date +%s)
( while kill -0 "$NODE_PID" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$NODE_PID/status" 2>/dev/null || echo -)
    heap=$(jcmd "$NODE_PID" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); printf "%.1f", v / 1024; exit } }')
    printf '%s\t%s\t%s\t%s\n' "$(cat "$PHASE_FILE")" "$(( $(date +%s) - T0 ))" "$rss" "${heap:--}" >>"$MEM"
    sleep 2
  done ) &
PIDS+=("$!:memory-sampler")

# perf LABEL SECONDS: one dnsperf run against the front-end's cache; prints "qps fe_us node_us"
perf() {
  local label=$1 secs=$2 raw="$OUT/runs/$1.txt" fe0 fe1 node0 node1 done_q qps
  fe0=$(ticks "$FE_PID"); node0=$(ticks "$NODE_PID")
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$FE_PORT" -d "$WORK/files/network-random.txt" \
    -l "$secs" -T 1 "${DNSPERF_SETTING[@]}" >"$raw" 2>&1 || log "dnsperf exited $? for $label"
  fe1=$(ticks "$FE_PID"); node1=$(ticks "$NODE_PID")
  done_q=$(awk '/Queries completed:/ {print $3}' "$raw")
  qps=$(awk '/Queries per second:/ {printf "%.0f", $4}' "$raw")
  awk -v q="$qps" -v n="${done_q:-0}" -v f="$((fe1 - fe0))" -v d="$((node1 - node0))" \
    -v hz="$HZ" -v s="$secs" 'BEGIN { printf "%s %.1f %.0f\n", q,
      (n > 0 ? f * 1e6 / hz / n : 0), d * 100 / hz / s }'
}

# live_heap: the node's heap used right after a full GC, MB (what it really holds)
live_heap() {
  jcmd "$NODE_PID" GC.run >/dev/null 2>&1 || true
  sleep 1
  jcmd "$NODE_PID" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); printf "%.1f", v / 1024; exit } }'
}

log "warm-up: every name once into the front-end's cache (not measured)"
perf warmup 10 >/dev/null
LIVE_BEFORE=$(live_heap)
echo before >"$PHASE_FILE"
log "before: dnsperf ${PHASE_SECONDS}s, no flood"
read -r QPS_BEFORE FEUS_BEFORE NODECPU_BEFORE < <(perf before "$PHASE_SECONDS")
log "before: $QPS_BEFORE q/s"

# flood PHASE MODE: one flood of FLOOD_SECONDS with dnsperf inside it; sets QPS FEUS NODECPU
flood() {
  local phase=$1 mode=$2 pid
  echo "$phase" >"$PHASE_FILE"
  log "$phase: $FLOOD_SECONDS s of $mode records (flooder on CPU $FLOODER_CPU)"
  # Niced: it takes the core's spare time first.
  taskset -c "$FLOODER_CPU" nice -n 19 java -Xmx256m -cp "$BENCH_CP" org.p2pdns.bench.flood.FloodPeer \
    --peer "$NODE_ID@$PEER" --seconds "$FLOOD_SECONDS" --mode "$mode" \
    --set "network.pow-bits=$POW_BITS" >"$OUT/flooder-$phase.txt" 2>&1 &
  pid=$!
  PIDS+=("$pid:flooder")
  for i in $(seq 1200); do  # the flooder signs its records first: up to 120 s
    grep -q '^flooding' "$OUT/flooder-$phase.txt" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || die "the flooder exited early ($OUT/flooder-$phase.txt)"
    sleep 0.1
  done
  sleep 5
  read -r QPS FEUS NODECPU < <(perf "$phase" $((FLOOD_SECONDS - 10)))
  log "$phase: $QPS q/s"
  wait "$pid" || log "the flooder exited $?"
}
flood flood bad-signature
QPS_FLOOD=$QPS; FEUS_FLOOD=$FEUS; NODECPU_FLOOD=$NODECPU
echo between >"$PHASE_FILE"
sleep 5
flood flood2 not-owner
QPS_FLOOD2=$QPS; FEUS_FLOOD2=$FEUS; NODECPU_FLOOD2=$NODECPU
echo after >"$PHASE_FILE"
sleep 5
read -r QPS_AFTER FEUS_AFTER NODECPU_AFTER < <(perf after "$PHASE_SECONDS")
log "after: $QPS_AFTER q/s"
LIVE_AFTER=$(live_heap)

STATUS=$(java -cp "$ROOT/cli/target/cli.jar:$ROOT/cli/target/lib/*" org.p2pdns.cli.P2pdnsMain \
  --node "$CONTROL" status 2>&1 || true)
echo "$STATUS" >"$OUT/node-status.txt"
java -cp "$ROOT/cli/target/cli.jar:$ROOT/cli/target/lib/*" org.p2pdns.cli.P2pdnsMain \
  --node "$CONTROL" nodes >"$OUT/node-nodes.txt" 2>&1 || true

mem_of() {  # mem_of PHASE COLUMN: min/max of a column over a phase's samples
  awk -F'\t' -v p="$1" -v c="$2" '$1 == p && $c != "-" { if (n == 0 || $c < lo) lo = $c;
    if (n == 0 || $c > hi) hi = $c; n++ } END { if (n) printf "%s-%s", lo, hi; else printf "-" }' "$MEM"
}
{
  echo "flood benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $NAMES names, network.pow-bits=$POW_BITS"
  echo "dnsperf ${DNSPERF_SETTING[*]} -T 1 on CPU $CLIENT_CPU; node and front-end on CPU $SERVER_CPU; flooder on CPU $FLOODER_CPU (nice 19)"
  echo "command: bench/flood-bench.sh --flood-seconds $FLOOD_SECONDS --names $NAMES --pow-bits $POW_BITS --flooder-cpu $FLOODER_CPU"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  printf '%-7s %10s %14s %14s %16s %18s\n' phase "q/s" "fe us/query" "node CPU %" "node RSS MB" "node heap MB"
  printf '%-7s %10s %14s %14s %16s %18s\n' before "$QPS_BEFORE" "$FEUS_BEFORE" "$NODECPU_BEFORE" "$(mem_of before 3)" "$(mem_of before 4)"
  printf '%-7s %10s %14s %14s %16s %18s\n' flood "$QPS_FLOOD" "$FEUS_FLOOD" "$NODECPU_FLOOD" "$(mem_of flood 3)" "$(mem_of flood 4)"
  printf '%-7s %10s %14s %14s %16s %18s\n' flood2 "$QPS_FLOOD2" "$FEUS_FLOOD2" "$NODECPU_FLOOD2" "$(mem_of flood2 3)" "$(mem_of flood2 4)"
  printf '%-7s %10s %14s %14s %16s %18s\n' after "$QPS_AFTER" "$FEUS_AFTER" "$NODECPU_AFTER" "$(mem_of after 3)" "$(mem_of after 4)"
  awk -v a="$QPS_BEFORE" -v b="$QPS_FLOOD" -v c="$QPS_FLOOD2" -v d="$QPS_AFTER" 'BEGIN {
    if (a > 0) printf "\nunder flood (bad signatures): %.1f%% of the rate before; (not-owner): %.1f%%; after: %.1f%%\n", 100 * b / a, 100 * c / a, 100 * d / a }'
  echo
  echo "node heap live after a full GC: ${LIVE_BEFORE:-?} MB before the floods, ${LIVE_AFTER:-?} MB after"
  grep -h '^flood-peer' "$OUT"/flooder-*.txt || true
  echo "$STATUS" | grep -E '^(submissions|refusals by reason|peers)' || true
} | tee "$OUT/summary.txt"
log "results in $OUT"
