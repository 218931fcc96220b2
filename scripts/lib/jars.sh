# Shared by the scripts in scripts/: finds the repository and builds the module jars when they
# are missing or older than their sources. Sourced, not run.

# The repository root: the parent of the directory holding the script that sourced this file.
P2PDNS_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"

# Whether MODULE's jar must be (re)built: missing jar or runtime libraries, or any main source
# or pom of it or of common newer than the jar.
p2pdns_stale() {
  local module="$1" jar="$P2PDNS_ROOT/$1/target/$1.jar"
  [[ -f "$jar" && -d "$P2PDNS_ROOT/$module/target/lib" ]] || return 0
  local newer
  newer="$(find "$P2PDNS_ROOT/pom.xml" "$P2PDNS_ROOT/common/pom.xml" "$P2PDNS_ROOT/common/src/main" \
    "$P2PDNS_ROOT/$module/pom.xml" "$P2PDNS_ROOT/$module/src/main" -newer "$jar" -print -quit \
    2>/dev/null || true)"
  [[ -n "$newer" ]]
}

# Builds the given modules (and common) in one quiet Maven run if any of them is stale.
# P2PDNS_NO_BUILD=1 skips this (installed copies, systemd units).
p2pdns_ensure_built() {
  [[ "${P2PDNS_NO_BUILD:-0}" == 1 ]] && return 0
  local stale=() m
  for m in "$@"; do
    if p2pdns_stale "$m"; then stale+=("$m"); fi
  done
  ((${#stale[@]} == 0)) && return 0
  if ! command -v mvn >/dev/null 2>&1; then
    echo "p2pdns: ${stale[*]} must be built but Maven (mvn) is not installed" >&2
    exit 2
  fi
  local modules
  modules="$(IFS=,; echo "${stale[*]}")"
  mkdir -p "$P2PDNS_ROOT/target"
  echo "building $modules (mvn -q -B -DskipTests package; the first build downloads dependencies)..." >&2
  (
    # Build output is for every user of the checkout (a systemd unit runs as its own user), even
    # when the caller keeps a strict umask for its data.
    umask 022
    # One build at a time in this tree: two scripts started together must not race in target/.
    if command -v flock >/dev/null 2>&1; then
      exec 9>"$P2PDNS_ROOT/target/.build.lock"
      flock -w 900 9 || { echo "p2pdns: another build holds $P2PDNS_ROOT/target/.build.lock" >&2; exit 1; }
    fi
    for m in "${stale[@]}"; do
      # Someone else may have built it while this one waited for the lock.
      if p2pdns_stale "$m"; then
        cd "$P2PDNS_ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -pl "$modules" -am package >&2 \
          || { echo "p2pdns: the build failed (see the Maven output above)" >&2; exit 1; }
        break
      fi
    done
    # Maven leaves a jar untouched when its classes did not change; mark it current.
    for m in "${stale[@]}"; do touch "$P2PDNS_ROOT/$m/target/$m.jar"; done
  ) || exit 1
}

# The class path of MODULE's jar and its runtime libraries.
p2pdns_classpath() {
  echo "$P2PDNS_ROOT/$1/target/$1.jar:$P2PDNS_ROOT/$1/target/lib/*"
}
