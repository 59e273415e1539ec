#!/usr/bin/env bash
# Native local infrastructure, no Docker engine needed (architecture.md §6):
#   - PostgreSQL from the operating system's packages, a cluster of our own
#     under .cache/infra/postgres, run as the `postgres` user when we are root;
#   - Apache Kafka in KRaft mode (one combined broker+controller) from the
#     official jars on Maven Central, collected by deploy/local/kafka/pom.xml.
#
# Usage: deploy/local/infra.sh up|down|status|env
#   up      start what is not running (idempotent), then check readiness
#   down    stop only what `up` started (by its pid files)
#   status  say what runs where
#   env     print the export lines for DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS
#
# With DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS both set, nothing is started:
# those are used as they are.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${AC_CACHE_DIR:-$ROOT/.cache}
INFRA=$CACHE/infra
PG_DIR=$INFRA/postgres
KAFKA_DIR=$INFRA/kafka
PORTS_FILE=$INFRA/ports
ENV_FILE=$INFRA/env
PY=${AC_PYTHON:-$ROOT/.venv/bin/python}
POM=$ROOT/deploy/local/kafka/pom.xml
PG_USER=ac
PG_PASSWORD=ac-local-only

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

external() { [[ -n "${DATABASE_URL:-}" && -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds what
  local i
  for ((i = 0; i < $2 * 10; i++)); do port_open "$1" && return 0; sleep 0.1; done
  return 1
}

# Ports are chosen once (free at that time) and kept, so every run agrees.
load_ports() {
  mkdir -p "$INFRA"
  chmod 755 "$CACHE" "$INFRA"
  if [[ -f $PORTS_FILE ]]; then
    # shellcheck source=/dev/null
    source "$PORTS_FILE"
  fi
  if [[ -f $INFRA/postgres-dir ]]; then
    PG_DIR=$(cat "$INFRA/postgres-dir")
  fi
  if [[ -z ${PG_PORT:-} || -z ${KAFKA_PORT:-} || -z ${CONTROLLER_PORT:-} ]]; then
    PG_PORT=$(free_port)
    KAFKA_PORT=$(free_port)
    CONTROLLER_PORT=$(free_port)
    printf 'PG_PORT=%s\nKAFKA_PORT=%s\nCONTROLLER_PORT=%s\n' \
      "$PG_PORT" "$KAFKA_PORT" "$CONTROLLER_PORT" >"$PORTS_FILE"
  fi
}

write_env() {
  cat >"$ENV_FILE" <<EOF
DATABASE_URL=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
EOF
}

# ---------------------------------------------------------------- PostgreSQL
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n $d && -x $d/initdb ]] && { echo "$d"; return 0; }
  return 1
}

ensure_pg_installed() {
  pg_bindir >/dev/null && return 0
  log "no PostgreSQL server installed: installing the OS package"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  pg_bindir >/dev/null || die "PostgreSQL install failed"
}

as_pg() { # PostgreSQL refuses to run as root: use the package's postgres user
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_running() {
  local bin
  bin=$(pg_bindir) || return 1
  [[ -f $PG_DIR/data/postmaster.pid ]] && as_pg "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

pg_up() {
  ensure_pg_installed
  local bin
  bin=$(pg_bindir)
  if pg_running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
    return 0
  fi
  mkdir -p "$PG_DIR"
  chmod 755 "$PG_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres "$PG_DIR"
  if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -w "$PG_DIR"; then
    # A checkout under a private directory (e.g. /root): the postgres user cannot
    # reach the repo's cache, so the cluster lives in a directory of its own.
    PG_DIR=/var/tmp/ac-postgres-$(printf '%s' "$INFRA" | sha256sum | cut -c1-12)
    log "the postgres user cannot reach $INFRA: using $PG_DIR instead"
    echo "$PG_DIR" >"$INFRA/postgres-dir"
    mkdir -p "$PG_DIR"
    chown postgres "$PG_DIR"
  fi
  if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
    log "initialising a PostgreSQL cluster in $PG_DIR/data"
    local pwfile=$PG_DIR/.pw
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    [[ $(id -u) -eq 0 ]] && chown postgres "$pwfile"
    as_pg "$bin/initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
      { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pwfile"
  fi
  mkdir -p "$PG_DIR/run"
  [[ $(id -u) -eq 0 ]] && chown postgres "$PG_DIR/run"
  # Settings for a small machine; re-written on every start so a port change applies.
  cat >"$PG_DIR/local.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR/run'
max_connections = 400
shared_buffers = 256MB
work_mem = 8MB
max_wal_size = 2GB
logging_collector = off
log_min_messages = warning
EOF
  [[ $(id -u) -eq 0 ]] && chown postgres "$PG_DIR/local.conf"
  grep -q "^include '$PG_DIR/local.conf'" "$PG_DIR/data/postgresql.conf" ||
    echo "include '$PG_DIR/local.conf'" >>"$PG_DIR/data/postgresql.conf"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_DIR/postgres.log)"
  touch "$PG_DIR/postgres.log"
  [[ $(id -u) -eq 0 ]] && chown postgres "$PG_DIR/postgres.log"
  as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 start >/dev/null ||
    { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
}

pg_down() {
  local bin
  bin=$(pg_bindir) || return 0
  if pg_running; then
    log "stopping PostgreSQL"
    as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null
  fi
}

# --------------------------------------------------------------------- Kafka
kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM"; }

kafka_jars() { # collect the broker classpath from Maven Central once per pom.xml
  local stamp jars
  stamp=$(sha256sum "$POM" | cut -c1-16)
  jars=$CACHE/kafka-jars/$stamp
  if [[ ! -f $jars/.complete ]]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka broker jars"
    log "fetching Apache Kafka $(kafka_version) broker jars from Maven Central"
    rm -rf "$jars"
    mkdir -p "$jars"
    mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$jars" >&2 || die "mvn could not collect the Kafka jars"
    touch "$jars/.complete"
  fi
  echo "$jars"
}

kafka_pid() { [[ -f $KAFKA_DIR/kafka.pid ]] && cat "$KAFKA_DIR/kafka.pid"; }

kafka_running() {
  local pid
  pid=$(kafka_pid) || return 1
  kill -0 "$pid" 2>/dev/null && grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null
}

kafka_up() {
  command -v java >/dev/null || die "Java 17+ is needed to run the Kafka broker"
  if kafka_running; then
    log "Kafka already running on 127.0.0.1:$KAFKA_PORT (pid $(kafka_pid))"
    return 0
  fi
  local jars
  jars=$(kafka_jars)
  mkdir -p "$KAFKA_DIR/logs"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
    -e "s|@DATA_DIR@|$KAFKA_DIR/data|g" \
    "$ROOT/deploy/local/kafka/server.properties.in" >"$KAFKA_DIR/server.properties"
  # The controller's endpoint is written into the metadata log when formatting:
  # a data dir formatted for other ports is started afresh.
  if [[ -f $KAFKA_DIR/data/meta.properties && "$(cat "$KAFKA_DIR/formatted-for" 2>/dev/null)" != "$CONTROLLER_PORT" ]]; then
    rm -rf "$KAFKA_DIR/data"
  fi
  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    log "formatting Kafka storage (KRaft, standalone controller)"
    local cid
    cid=$(java -cp "$jars/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    java -Dlog4j2.configurationFile="$ROOT/deploy/local/kafka/log4j2.yaml" \
      -Dkafka.logs.dir="$KAFKA_DIR/logs" -cp "$jars/*" kafka.tools.StorageTool \
      format -t "$cid" -c "$KAFKA_DIR/server.properties" --standalone >"$KAFKA_DIR/format.log" 2>&1 ||
      { cat "$KAFKA_DIR/format.log" >&2; die "Kafka storage format failed"; }
    echo "$CONTROLLER_PORT" >"$KAFKA_DIR/formatted-for"
  fi
  log "starting Kafka $(kafka_version) on 127.0.0.1:$KAFKA_PORT (logs: $KAFKA_DIR/logs)"
  # setsid: the broker outlives the shell (and a Ctrl-C in `make run`).
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$ROOT/deploy/local/kafka/log4j2.yaml" \
    -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    -cp "$jars/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
    >"$KAFKA_DIR/logs/stdout.log" 2>&1 </dev/null &
  echo $! >"$KAFKA_DIR/kafka.pid"
  # A broker with many partitions on disk (topics of earlier test runs) loads
  # them all before it listens: wait as long as it lives, saying so.
  local waited
  for ((waited = 0; waited < 600; waited += 15)); do
    wait_port "$KAFKA_PORT" 15 && break
    kill -0 "$(cat "$KAFKA_DIR/kafka.pid")" 2>/dev/null || break
    log "Kafka is still loading its logs ($(find "$KAFKA_DIR/data" -maxdepth 1 -type d | wc -l) partitions on disk; $((waited + 15)) s)"
  done
  port_open "$KAFKA_PORT" ||
    { tail -n 30 "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/logs/stdout.log" >&2 || true; die "Kafka did not open its port"; }
}

kafka_down() {
  kafka_running || { rm -f "$KAFKA_DIR/kafka.pid"; return 0; }
  local pid i
  pid=$(kafka_pid)
  log "stopping Kafka (pid $pid)"
  kill -TERM "$pid"
  for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { log "Kafka did not stop in 30 s: killing it"; kill -KILL "$pid"; }
  rm -f "$KAFKA_DIR/kafka.pid"
}

# ------------------------------------------------------------------ commands
readiness() {
  [[ -x $PY ]] || die "no Python environment at $PY (run: make venv)"
  "$PY" "$ROOT/deploy/local/readiness.py"
}

cmd_up() {
  if external; then
    log "DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS are set: using them, starting nothing"
    readiness
    return 0
  fi
  local start=$SECONDS
  load_ports
  pg_up
  kafka_up
  write_env
  set -a
  # shellcheck source=/dev/null
  source "$ENV_FILE"
  set +a
  readiness
  log "ready in $((SECONDS - start)) s; environment in $ENV_FILE"
}

cmd_down() {
  load_ports
  kafka_down
  pg_down
}

cmd_status() {
  load_ports
  if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT"; else echo "postgres: stopped"; fi
  if kafka_running; then echo "kafka: running on 127.0.0.1:$KAFKA_PORT (pid $(kafka_pid))"; else echo "kafka: stopped"; fi
}

cmd_env() {
  if external; then
    printf 'export DATABASE_URL=%q\nexport KAFKA_BOOTSTRAP_SERVERS=%q\n' "$DATABASE_URL" "$KAFKA_BOOTSTRAP_SERVERS"
    return 0
  fi
  [[ -f $ENV_FILE ]] || die "infrastructure not started (run: make infra)"
  sed 's/^/export /' "$ENV_FILE"
}

case ${1:-up} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) die "usage: $0 up|down|status|env" ;;
esac
