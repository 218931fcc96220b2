#!/usr/bin/env bash
# The DNS benchmark of issue 2 (docs/performance.md): the front-end against Knot DNS serving the
# same names, in the same run, on 127.0.0.1 only.
#
#   bench/dns-bench.sh [--names N] [--duration S] [--pow-bits B] [--no-build] [--profile]
#                      [--knot-only] [--keep]
#
# One command: builds (mvn -q -DskipTests package), starts a node (data dir in /dev/shm) and a
# front-end from their jars on loopback ports (ready files give the real ports), loads N signed
# names into the node (org.p2pdns.bench.load.RecordLoader), starts Knot (knotd, one worker) with
# the same names, and runs dnsperf against both:
#   - network names, cached       (front-end cache)                    vs Knot, same query file
#   - network names, first query  (each asked once, never before: front-end -> node)
#   - network names, cache off    (a second front-end, frontend.cache-size=0: every query -> node)
#   - forwarded names, TTL 0      (every query front-end -> Knot as upstream) vs Knot direct
#   - forwarded names, TTL 3600   (front-end cache of upstream answers)
# UDP at -c 4 -q 100, -c 4 -q 500, -c 16 -q 1000 (best kept), TCP at -m tcp -c 16 -q 500,
# latency at -Q 10000 (p50/p99/p99.9 from dnsperf -v per-query latencies), and for every run the
# server side's CPU time per answered query (from /proc). Pinning as shared/PERFORMANCE.md: the
# server side on CPU 1 (Knot, the front-end JVM, the node JVM after loading), dnsperf on CPU 0.
# Every dnsperf run is bounded (-l DURATION); everything this script starts is stopped on exit.
# Results: bench/out/<UTC time>/ (summary.txt, results.tsv, raw outputs). Method and figures:
# docs/performance.md.
#
# --knot-only: no build, no node, no front-end: Knot alone against the same files (checks the
#   harness). --profile: the front-ends run with JFR; their hot methods are printed at the end (the
#   figures of a profiled run are not the ones to quote). --keep: keep the temp dir.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAMES=100000
DURATION=10
POW_BITS=4
BUILD=1
PROFILE=0
KNOT_ONLY=0
KEEP=0
WARM_NAMES=10000
FORWARDED_NAMES=10000
# Cold names asked at 10,000 q/s for the cold latency figure (3 s); the rest go at full speed.
COLD_LATENCY_QUERIES=30000
LATENCY_QPS=10000
# Enough room for every network name and every cacheable forwarded name: a cached run must not
# measure evictions.
CACHE_SIZE=250000
SERVER_CPU=1
CLIENT_CPU=0
JVM_HEAP=${BENCH_JVM_HEAP:-1g}

usage() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --names) NAMES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --pow-bits) POW_BITS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --profile) PROFILE=1; shift ;;
    --knot-only) KNOT_ONLY=1; BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "dns-bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$DURATION" in ''|*[!0-9]*) echo "dns-bench: --duration is whole seconds" >&2; exit 2 ;; esac
if [ "$DURATION" -lt 10 ] || [ "$DURATION" -gt 20 ]; then
  echo "dns-bench: --duration between 10 and 20 s (shared/PERFORMANCE.md)" >&2; exit 2
fi

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- tools -------------------------------------------------------------------------------------
need_packages=()
command -v knotd >/dev/null || need_packages+=(knot)
command -v dnsperf >/dev/null || need_packages+=(dnsperf)
command -v dig >/dev/null || need_packages+=(dnsutils)
command -v taskset >/dev/null || need_packages+=(util-linux)
command -v ss >/dev/null || need_packages+=(iproute2)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing ${need_packages[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
  else
    die "missing ${need_packages[*]}: install them (Debian: apt-get install -y knot dnsperf dnsutils)"
  fi
fi
command -v java >/dev/null || die "java (17+) is not on PATH"
[ "$(nproc --all)" -ge 2 ] || die "pinning needs 2 CPUs (server on CPU $SERVER_CPU, dnsperf on CPU $CLIENT_CPU)"

# --- state and cleanup -------------------------------------------------------------------------
# The data dir lives in memory when it can: the node commits every record with fsync (SQLite
# synchronous=FULL), about 180 a second on this disk, which would make loading 100,000 names take
# ten minutes. What is measured (DNS) never touches the disk.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  WORK=$(mktemp -d /dev/shm/p2pdns-bench.XXXXXX)
else
  WORK=$(mktemp -d /tmp/p2pdns-bench.XXXXXX)
  log "no writable /dev/shm: the node's data dir is on disk and loading will be slow"
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/out/$STAMP"
mkdir -p "$OUT/runs"
PIDS=()
CUR_FE_PID=""  # the front-end being measured, for the CPU figures

stop_pid() {  # stop_pid PID NAME: TERM, up to 10 s, then KILL
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

free_port() {  # a TCP and UDP port nobody listens on, on 127.0.0.1
  local p i
  for i in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Hlnut "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

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

# start_frontend NAME CACHE-SIZE: a front-end on CPU $SERVER_CPU at 127.0.0.1:0, waited for;
# sets STARTED_PID and STARTED_PORT.
start_frontend() {
  local name=$1 cache=$2 port jfr_opts=()
  if [ "$PROFILE" -eq 1 ]; then
    jfr_opts=("-XX:StartFlightRecording=filename=$OUT/$name.jfr,settings=profile,dumponexit=true")
  fi
  log "starting $name (CPU $SERVER_CPU, upstream Knot 127.0.0.1:$KNOT_PORT, frontend.cache-size=$cache)"
  taskset -c "$SERVER_CPU" java -Xmx$JVM_HEAP "${jfr_opts[@]}" \
    -cp "$ROOT/dns-frontend/target/dns-frontend.jar:$ROOT/dns-frontend/target/lib/*" \
    org.p2pdns.frontend.FrontendMain --listen 127.0.0.1:0 --node "$CONTROL" \
    --upstream "127.0.0.1:$KNOT_PORT" --set "frontend.cache-size=$cache" \
    --ready-file "$WORK/$name.ready" >"$OUT/$name.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID:$name")
  wait_ready_file "$WORK/$name.ready" "$STARTED_PID" "$name" 60
  port=$(ready_value "$WORK/$name.ready" dns)
  STARTED_PORT=${port##*:}
  [ -n "$STARTED_PORT" ] || die "the ready file of $name names no dns address"
  log "$name ready on 127.0.0.1:$STARTED_PORT (pid $STARTED_PID)"
}

# expect_answer PORT NAME ADDRESS: NAME A must come back as ADDRESS within 20 tries
expect_answer() {
  local port=$1 name=$2 want=$3 got="" i
  for i in $(seq 20); do
    got=$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$port" "$name" A 2>/dev/null || true)
    [ "$got" = "$want" ] && return 0
    sleep 1
  done
  die "127.0.0.1:$port answered '$got' for $name A, not $want (20 tries)"
}

# --- build and fixtures ------------------------------------------------------------------------
if [ "$BUILD" -eq 1 ]; then
  log "building (mvn -q -DskipTests package)"
  (cd "$ROOT" && mvn -q -DskipTests package) || die "build failed"
fi
BENCH_CP="$ROOT/bench/target/bench.jar:$ROOT/bench/target/lib/*"
[ -f "$ROOT/bench/target/bench.jar" ] || die "bench/target/bench.jar missing: build first (mvn -q -DskipTests package)"
loader() { java -Xmx1g -cp "$BENCH_CP" org.p2pdns.bench.load.RecordLoader "$@"; }

FILES="$WORK/files"
NODE_PID=""
FE_PID=""
if [ "$KNOT_ONLY" -eq 0 ]; then
  for m in p2p-node dns-frontend; do
    [ -f "$ROOT/$m/target/$m.jar" ] || die "$m/target/$m.jar missing: is the $m module in this tree and built?"
  done
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
  [ -n "$CONTROL" ] || die "the node's ready file names no control endpoint"
  log "node ready: control $CONTROL"

  log "loading $NAMES names (both cores) and writing the query and zone files"
  loader --node "$CONTROL" --out "$FILES" --names "$NAMES" --warm-names "$WARM_NAMES" \
    --forwarded-names "$FORWARDED_NAMES" --set "network.pow-bits=$POW_BITS" \
    | tee "$OUT/load.txt" >&2 || die "loading failed (see above)"
else
  loader --out "$FILES" --names "$NAMES" --warm-names "$WARM_NAMES" \
    --forwarded-names "$FORWARDED_NAMES" --set "network.pow-bits=$POW_BITS" >&2
fi

# The cold file splits in two: the first part at 10,000 q/s (latency), the rest at full speed.
head -n "$COLD_LATENCY_QUERIES" "$FILES/network-once.txt" >"$FILES/cold-latency.txt"
tail -n +"$((COLD_LATENCY_QUERIES + 1))" "$FILES/network-once.txt" >"$FILES/cold-max.txt"
[ -s "$FILES/cold-max.txt" ] || die "too few names for the cold runs: raise --names"

# --- Knot --------------------------------------------------------------------------------------
KNOT_PORT=$(free_port)
mkdir -p "$WORK/knot"
cp "$FILES/p2p.zone" "$FILES/bench.test.zone" "$WORK/knot/"
cat >"$WORK/knot/knot.conf" <<EOF
# One worker per kind, as shared/PERFORMANCE.md measured: Knot on one core.
server:
    rundir: "$WORK/knot"
    pidfile: "$WORK/knot/knotd.pid"
    listen: 127.0.0.1@$KNOT_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$WORK/knot/db"
control:
    listen: "$WORK/knot/knot.sock"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$WORK/knot"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: p2p
    file: p2p.zone
  - domain: bench.test
    file: bench.test.zone
EOF
log "starting Knot on 127.0.0.1:$KNOT_PORT (CPU $SERVER_CPU)"
taskset -c "$SERVER_CPU" knotd -c "$WORK/knot/knot.conf" >"$OUT/knot.log" 2>&1 &
KNOT_PID=$!
PIDS+=("$KNOT_PID:knot")
knot_up=0
for i in $(seq 300); do
  kill -0 "$KNOT_PID" 2>/dev/null || die "knotd exited (log: $OUT/knot.log)"
  if dig +short +time=1 +tries=1 @127.0.0.1 -p "$KNOT_PORT" "n$(printf %07d "$NAMES").p2p" A | grep -q . \
    && dig +short +time=1 +tries=1 @127.0.0.1 -p "$KNOT_PORT" u000001.bench.test A | grep -q .; then
    knot_up=1; break
  fi
  sleep 0.2
done
[ "$knot_up" -eq 1 ] || die "Knot did not serve both zones within 60 s (log: $OUT/knot.log)"

# --- front-end ---------------------------------------------------------------------------------
FE_PORT=""
if [ "$KNOT_ONLY" -eq 0 ]; then
  # The node answers the cold runs: from here on it shares the server's core with the front-end.
  taskset -a -p -c "$SERVER_CPU" "$NODE_PID" >/dev/null
  start_frontend frontend "$CACHE_SIZE"
  FE_PID=$STARTED_PID
  FE_PORT=$STARTED_PORT
  CUR_FE_PID=$FE_PID
  # One name of each kind must answer right before anything is measured. The name asked is
  # outside the cold set (index 1 is a warm-up name), so the cold run stays cold.
  # A JVM just started on a busy core may miss the node timeout (SERVFAIL) at first: a few tries.
  expect_answer "$FE_PORT" n0000001.p2p 10.0.0.1
  expect_answer "$FE_PORT" c000001.bench.test 10.0.0.1
fi

# --- dnsperf -----------------------------------------------------------------------------------
SUMMARY="$OUT/results.tsv"
printf 'label\ttarget\tfile\tsetting\tqps\tsent\tlost\trcodes\tp50_ms\tp99_ms\tp999_ms\tfe_us_per_q\tfe_sys_pct\tnode_us_per_q\tknot_us_per_q\n' >"$SUMMARY"

# ticks PID: user and system CPU clock ticks of a process, all its threads ("0 0" once gone)
ticks() {
  if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'
  else
    echo "0 0"
  fi
}
# us_per_query T0 T1 COMPLETED: CPU microseconds per answered query between two tick readings
us_per_query() {
  awk -v a="$1" -v b="$2" -v n="$3" -v hz="$HZ" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    if (n > 0) printf "%.1f", ((y[1] - x[1]) + (y[2] - x[2])) * 1e6 / hz / n; else printf "-" }'
}
HZ=$(getconf CLK_TCK)

# perf LABEL TARGET PORT FILE SETTING... : one dnsperf run, appended to results.tsv, with the CPU
# time the server side spent per answered query (front-end, node, Knot read from /proc: the
# figure that other work on a shared machine disturbs least).
perf() {
  local label=$1 target=$2 port=$3 file=$4; shift 4
  local raw="$OUT/runs/$label.txt" setting="$*"
  local fe0 fe1 node0 node1 knot0 knot1 fe_pid=""
  [ "$target" = knot ] || fe_pid=$CUR_FE_PID
  fe0=$(ticks "$fe_pid"); node0=$(ticks "$NODE_PID"); knot0=$(ticks "$KNOT_PID")
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$FILES/$file" -l "$DURATION" -T 1 "$@" \
    >"$raw" 2>&1 || log "dnsperf exited $? for $label"
  fe1=$(ticks "$fe_pid"); node1=$(ticks "$NODE_PID"); knot1=$(ticks "$KNOT_PID")
  local qps sent lost rcodes p50="" p99="" p999="" done_q fe_us node_us knot_us fe_sys
  done_q=$(awk '/Queries completed:/ {print $3}' "$raw")
  fe_us=$(us_per_query "$fe0" "$fe1" "${done_q:-0}")
  node_us=$(us_per_query "$node0" "$node1" "${done_q:-0}")
  knot_us=$(us_per_query "$knot0" "$knot1" "${done_q:-0}")
  fe_sys=$(awk -v a="$fe0" -v b="$fe1" 'BEGIN { split(a, x, " "); split(b, y, " ")
    t = (y[1] - x[1]) + (y[2] - x[2]); if (t > 0) printf "%.0f", 100 * (y[2] - x[2]) / t; else printf "-" }')
  qps=$(awk '/Queries per second:/ {printf "%.0f", $4}' "$raw")
  sent=$(awk '/Queries sent:/ {print $3}' "$raw")
  lost=$(awk '/Queries lost:/ {print $3}' "$raw")
  rcodes=$(sed -n 's/^ *Response codes: *//p' "$raw")
  if grep -q -- ' -v' <<<" $setting"; then
    read -r p50 p99 p999 < <(awk '/^> / {print $NF * 1000}' "$raw" | sort -g | awk '
      { v[NR] = $1 }
      END {
        if (NR == 0) { print "- - -"; exit }
        i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999); i999 = int(NR * 0.999 + 0.999999)
        printf "%.3f %.3f %.3f\n", v[i50], v[i99], v[i999]
      }')
    # The per-query lines are what the percentiles came from; the summary lines stay.
    grep -v '^> ' "$raw" >"$raw.tmp" && mv "$raw.tmp" "$raw"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$target" \
    "$file" "$setting" "${qps:-0}" "${sent:-0}" "${lost:-?}" "${rcodes:-none}" "$p50" "$p99" \
    "$p999" "$fe_us" "$fe_sys" "$node_us" "$knot_us" >>"$SUMMARY"
  local cpu="knot ${knot_us} us/q"
  [ -z "$fe_pid" ] || cpu="fe ${fe_us} us/q (${fe_sys}% sys), node ${node_us}, knot ${knot_us}"
  log "$(printf '%-20s %7s q/s  lost %-5s %s| %s | %s' "$label" "${qps:-0}" "${lost:-?}" \
    "${p99:+p99 ${p99} ms }" "$cpu" "${rcodes:-}")"
}

UDP_SETTINGS=("-c 4 -q 100" "-c 4 -q 500" "-c 16 -q 1000")
TCP_SETTING="-m tcp -c 16 -q 500"
LAT_SETTING="-c 4 -q 100 -Q $LATENCY_QPS -v"

# full_set NAME TARGET PORT FILE: the three UDP settings, TCP, latency
full_set() {
  local name=$1 target=$2 port=$3 file=$4 s k=0
  for s in "${UDP_SETTINGS[@]}"; do
    k=$((k + 1))
    # shellcheck disable=SC2086
    perf "$name-udp$k" "$target" "$port" "$file" -m udp $s
  done
  # shellcheck disable=SC2086
  perf "$name-tcp" "$target" "$port" "$file" $TCP_SETTING
  # shellcheck disable=SC2086
  perf "$name-lat" "$target" "$port" "$file" -m udp $LAT_SETTING
}

START_RUNS=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$KNOT_ONLY" -eq 0 ]; then
  log "warm-up (not measured): forwarded cacheable names, then the warm-up network names"
  perf warmup-forwarded frontend "$FE_PORT" forwarded-cached.txt -m udp -c 4 -q 100
  perf warmup-network frontend "$FE_PORT" network-warmup.txt -m udp -c 4 -q 100

  log "network names not yet cached: each asked once, for the first time"
  perf cold-lat frontend "$FE_PORT" cold-latency.txt -n 1 -m udp $LAT_SETTING
  perf cold-udp frontend "$FE_PORT" cold-max.txt -n 1 -m udp -c 16 -q 1000

  log "forwarded names, TTL 0: every query goes to Knot through the front-end"
  full_set fwd frontend "$FE_PORT" forwarded.txt

  log "cached network names: one pass to fill the cache (not measured), then front-end and Knot in turn"
  perf warmup-cached frontend "$FE_PORT" network-random.txt -m udp -c 4 -q 500
fi
# Front-end and Knot alternate setting by setting, so that the load of other work on this shared
# machine drifts over both alike.
k=0
for s in "${UDP_SETTINGS[@]}"; do
  k=$((k + 1))
  # shellcheck disable=SC2086
  [ "$KNOT_ONLY" -eq 1 ] || perf "cached-udp$k" frontend "$FE_PORT" network-random.txt -m udp $s
  # shellcheck disable=SC2086
  perf "knot-udp$k" knot "$KNOT_PORT" network-random.txt -m udp $s
done
# shellcheck disable=SC2086
[ "$KNOT_ONLY" -eq 1 ] || perf cached-tcp frontend "$FE_PORT" network-random.txt $TCP_SETTING
# shellcheck disable=SC2086
perf knot-tcp knot "$KNOT_PORT" network-random.txt $TCP_SETTING
# shellcheck disable=SC2086
[ "$KNOT_ONLY" -eq 1 ] || perf cached-lat frontend "$FE_PORT" network-random.txt -m udp $LAT_SETTING
# shellcheck disable=SC2086
perf knot-lat knot "$KNOT_PORT" network-random.txt -m udp $LAT_SETTING

if [ "$KNOT_ONLY" -eq 0 ]; then
  log "forwarded names with a TTL: answered from the front-end's cache of upstream answers"
  full_set fwdcached frontend "$FE_PORT" forwarded-cached.txt
fi
log "Knot directly, the forwarded names' file"
full_set knotfwd knot "$KNOT_PORT" forwarded.txt

if [ "$KNOT_ONLY" -eq 0 ]; then
  # The steady state of the miss path: a second front-end that caches nothing, so every query of
  # the random file goes to the node (the cold run above is the same path, but short and once).
  stop_pid "$FE_PID" frontend
  start_frontend frontend-nocache 0
  NC_PORT=$STARTED_PORT
  CUR_FE_PID=$STARTED_PID
  log "front-end with frontend.cache-size=0: every network query goes to the node"
  perf warmup-nocache frontend-nocache "$NC_PORT" network-warmup.txt -m udp -c 4 -q 100
  full_set nocache frontend-nocache "$NC_PORT" network-random.txt
  stop_pid "$STARTED_PID" frontend-nocache
fi
RUN_SECONDS=$(( $(date +%s) - START_RUNS ))

# --- table -------------------------------------------------------------------------------------
# best_label PREFIX: the label of the UDP run of a set with the most q/s
best_label() { awk -F'\t' -v p="$1" '$1 ~ "^" p "-udp[0-9]$" && $5 > b { b = $5; l = $1 } END { print l }' "$SUMMARY"; }
field() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l { print $c }' "$SUMMARY"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-" }'; }
# cpu LABEL: server CPU us per query of a run: front-end+node+Knot, or Knot for a Knot run
cpu() {
  awk -F'\t' -v l="$1" '$1 == l {
    if ($2 == "knot") printf "%s", $15
    else printf "%.1f (%s%% sys)", ($12 == "-" ? 0 : $12) + ($14 == "-" ? 0 : $14) + ($15 == "-" ? 0 : $15), $13 }' "$SUMMARY"
}
FMT='%-40s %8s %-16s %-16s %8s %22s %7s\n'

{
  echo "P2P-DNS DNS benchmark, $STAMP"
  echo "machine: $(nproc --all) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), shared: see the load average"
  echo "dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1), $(knotd -V 2>&1 | head -1), $(java -version 2>&1 | head -1)"
  echo "names: $NAMES (pow bits $POW_BITS), dnsperf -l $DURATION -T 1, server side on CPU $SERVER_CPU, dnsperf on CPU $CLIENT_CPU; runs took ${RUN_SECONDS}s"
  echo "load average before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$PROFILE" -eq 1 ] && echo "NOTE: profiled run (JFR on): these figures are not for comparison"
  echo
  printf "$FMT" "what" "UDP q/s" "(best of 3)" "CPU us/q" "TCP q/s" "p50/p99/p99.9 ms @10k" "vs Knot"
  row() {  # row TEXT PREFIX KNOT-PREFIX
    local l q kq lat
    l=$(best_label "$2"); q=$(field "$l" 5)
    lat="$(field "$2-lat" 9)/$(field "$2-lat" 10)/$(field "$2-lat" 11)"
    kq=""; [ -z "$3" ] || kq=$(field "$(best_label "$3")" 5)
    printf "$FMT" "$1" "$q" "($(field "$l" 4 | sed 's/^-m udp //'))" "$(cpu "$l")" \
      "$(field "$2-tcp" 5)" "$lat" "$(ratio "$q" "$kq")"
  }
  if [ "$KNOT_ONLY" -eq 0 ]; then
    row "front-end: network names, cached" cached knot
    printf "$FMT" "front-end: network names, first query" "$(field cold-udp 5)" \
      "($(field cold-udp 4 | sed 's/^-n 1 -m udp //'))" "$(cpu cold-udp)" "-" \
      "$(field cold-lat 9)/$(field cold-lat 10)/$(field cold-lat 11)" \
      "$(ratio "$(field cold-udp 5)" "$(field "$(best_label knot)" 5)")"
    row "front-end, cache off: network names" nocache knot
    row "front-end: forwarded to Knot, TTL 0" fwd knotfwd
    row "front-end: forwarded, cached (TTL 3600)" fwdcached knotfwd
  fi
  row "Knot: network names (same file as cached)" knot ""
  row "Knot: forwarded names' file, directly" knotfwd ""
  echo
  echo "TCP, cached network names / Knot: $(ratio "$(field cached-tcp 5)" "$(field knot-tcp 5)")"
  echo "CPU us/q: server CPU time per answered query in the best UDP run (front-end + node + Knot"
  echo "for front-end rows, % of the front-end's in the kernel); every run, with lost queries and"
  echo "response codes: $SUMMARY"
} | tee "$OUT/summary.txt"

if [ "$PROFILE" -eq 1 ]; then
  for name in frontend frontend-nocache; do
    [ -f "$OUT/$name.jfr" ] || continue
    echo
    echo "$name: hot methods (JFR execution samples over all its runs):"
    java -cp "$BENCH_CP" org.p2pdns.bench.profile.JfrHotMethods "$OUT/$name.jfr" 30
  done | tee "$OUT/profile.txt"
fi
log "results in $OUT"
