# Shared by p2pdns-up and p2pdns-down: pid files and processes of the two daemons. Sourced.

# The main class each daemon runs, to tell our process from another one that got its pid.
p2pdns_main_class() {
  case "$1" in
    node) echo org.p2pdns.node.NodeMain ;;
    frontend) echo org.p2pdns.frontend.FrontendMain ;;
  esac
}

# The pid in DATA/NAME.pid if that process is alive and is that daemon; empty otherwise.
p2pdns_running_pid() {
  local data="$1" name="$2" pid
  [[ -f "$data/$name.pid" ]] || return 0
  pid="$(tr -dc '0-9' <"$data/$name.pid")"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$(p2pdns_main_class "$name")"; then
    echo "$pid"
  fi
}

# The value of KEY in a key=value file (a ready file).
p2pdns_ready_value() {
  sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1
}
