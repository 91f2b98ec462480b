#!/usr/bin/env bash
# Local etcd, two Redis and PostgreSQL for the lease and segment tests
# (make test-leases, make test-segments).
#
#   scripts/services.sh deps      install etcd, redis-server, postgresql and protoc (apt) if missing
#   scripts/services.sh start     deps, then start all four on loopback and wait until they answer
#   scripts/services.sh stop      stop all (by PID) and wait until they are gone
#   scripts/services.sh restart-NAME   stop and start one, same data (a volatile Redis comes back empty)
#   scripts/services.sh stop-NAME | start-NAME    one of them
#   scripts/services.sh env       print the variables the tests read
#   (NAME: etcd, redis, volatile-redis, postgres)
#
# etcd: client 127.0.0.1:23790, peer 127.0.0.1:23800. Redis: 127.0.0.1:26379,
# persistent (--appendonly yes --appendfsync always, the AOF in the state
# directory: a restart keeps every acknowledged write), for the leases and
# the segment tests (SNOWID_TEST_REDIS_URL). A second, volatile Redis on
# 127.0.0.1:26380 (--save '' --appendonly no: a restart comes back empty), for
# the tests of a store that lost its data and of the refusal of such a store
# (SNOWID_TEST_VOLATILE_REDIS_URL). PostgreSQL (Debian's package,
# binaries in /usr/lib/postgresql/*/bin): a cluster made by initdb in the state
# directory, TCP on 127.0.0.1:25432, unix socket in the state directory, trust
# authentication for the superuser `snowid`, database `snowid`; PostgreSQL
# refuses to run as root, so as root its programs run as the `postgres` user
# (runuser). Data and PID files live in one mktemp -d directory, remembered in
# $SNOWID_SERVICES_STATE (default /tmp/snowid-services.state). Every command is
# idempotent. The ports can be moved (a second set of services beside a first):
# SNOWID_SERVICES_ETCD_PORT (client; the peer port is 10 above),
# SNOWID_SERVICES_REDIS_PORT, SNOWID_SERVICES_VOLATILE_REDIS_PORT,
# SNOWID_SERVICES_PG_PORT; `env` prints the URLs with the same variables set.
set -euo pipefail

STATE_FILE=${SNOWID_SERVICES_STATE:-/tmp/snowid-services.state}
ETCD_PORT=${SNOWID_SERVICES_ETCD_PORT:-23790}
ETCD_CLIENT=127.0.0.1:$ETCD_PORT
ETCD_PEER=127.0.0.1:$((ETCD_PORT + 10))
REDIS_PORT=${SNOWID_SERVICES_REDIS_PORT:-26379}
VOLATILE_REDIS_PORT=${SNOWID_SERVICES_VOLATILE_REDIS_PORT:-26380}
PG_PORT=${SNOWID_SERVICES_PG_PORT:-25432}
WAIT_S=${SNOWID_SERVICES_WAIT_S:-20}

log() { echo "services: $*" >&2; }

apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q "$@" >/dev/null || {
        $sudo apt-get update -q >/dev/null
        $sudo apt-get install -y -q "$@" >/dev/null
    }
}

deps() {
    local need=()
    command -v etcd >/dev/null || need+=(etcd-server)
    command -v etcdctl >/dev/null || need+=(etcd-client)
    command -v redis-server >/dev/null || need+=(redis-server)
    # etcd-client (the crate) compiles etcd's .proto files at build time.
    command -v protoc >/dev/null || need+=(protobuf-compiler)
    pg_bin >/dev/null 2>&1 || need+=(postgresql)
    if [ ${#need[@]} -gt 0 ]; then
        log "installing ${need[*]}"
        apt_install "${need[@]}"
    fi
    # The Debian packages start system-wide services on their default ports;
    # ours use their own ports and data, so those are left alone.
}

state_dir() {
    if [ -f "$STATE_FILE" ] && [ -d "$(cat "$STATE_FILE")" ]; then
        cat "$STATE_FILE"
    else
        local d
        d=$(mktemp -d /tmp/snowid-services.XXXXXX)
        echo "$d" >"$STATE_FILE"
        echo "$d"
    fi
}

# Running means: the PID exists and is not a zombie.
alive() {
    local pid=$1 state
    [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$state" != "Z" ] && [ "$state" != "X" ]
}

pid_of() {
    local f="$1/$2.pid"
    [ -f "$f" ] && cat "$f" || true
}

wait_until() {
    local what=$1
    shift
    local deadline=$((SECONDS + WAIT_S))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            log "$what did not answer within ${WAIT_S}s"
            return 1
        fi
        sleep 0.2
    done
}

start_etcd() {
    local d=$1 pid
    pid=$(pid_of "$d" etcd)
    if [ -n "$pid" ] && alive "$pid"; then return 0; fi
    mkdir -p "$d/etcd"
    etcd --name snowid-test --data-dir "$d/etcd" \
        --listen-client-urls "http://$ETCD_CLIENT" --advertise-client-urls "http://$ETCD_CLIENT" \
        --listen-peer-urls "http://$ETCD_PEER" --initial-advertise-peer-urls "http://$ETCD_PEER" \
        --initial-cluster "snowid-test=http://$ETCD_PEER" \
        >"$d/etcd.log" 2>&1 </dev/null &
    echo $! >"$d/etcd.pid"
    wait_until etcd env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_CLIENT" --dial-timeout 1s endpoint health || {
        tail -20 "$d/etcd.log" >&2
        return 1
    }
    log "etcd up on $ETCD_CLIENT (pid $(cat "$d/etcd.pid"))"
}

# run_redis DIR NAME PORT ARGS...: one redis-server, data in DIR/NAME.
run_redis() {
    local d=$1 name=$2 port=$3 pid
    shift 3
    pid=$(pid_of "$d" "$name")
    if [ -n "$pid" ] && alive "$pid"; then return 0; fi
    mkdir -p "$d/$name"
    redis-server --bind 127.0.0.1 --port "$port" "$@" \
        --dir "$d/$name" --daemonize no >"$d/$name.log" 2>&1 </dev/null &
    echo $! >"$d/$name.pid"
    wait_until "$name" redis-cli -p "$port" ping || {
        tail -20 "$d/$name.log" >&2
        return 1
    }
    log "$name up on 127.0.0.1:$port (pid $(cat "$d/$name.pid"))"
}

start_redis() {
    run_redis "$1" redis "$REDIS_PORT" --save '' --appendonly yes --appendfsync always
}

start_volatile_redis() {
    run_redis "$1" volatile-redis "$VOLATILE_REDIS_PORT" --save '' --appendonly no
}

# The newest installed PostgreSQL's bin directory.
pg_bin() {
    local b
    b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$b" ] && [ -x "$b/postgres" ] || return 1
    echo "$b"
}

# Runs a PostgreSQL program as the owner of the cluster: itself when not root,
# the `postgres` user when root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    local d=$1 pid bin
    pid=$(pid_of "$d" postgres)
    if [ -n "$pid" ] && alive "$pid"; then return 0; fi
    bin=$(pg_bin) || {
        log "postgresql is not installed (scripts/services.sh deps)"
        return 1
    }
    if [ ! -f "$d/postgres/PG_VERSION" ]; then
        mkdir -p "$d/postgres" "$d/postgres-run"
        if [ "$(id -u)" -eq 0 ]; then
            # The postgres user must reach its directories inside our mktemp dir.
            chmod 711 "$d"
            chown postgres: "$d/postgres" "$d/postgres-run"
        fi
        chmod 700 "$d/postgres"
        as_pg "$bin/initdb" -D "$d/postgres" -U snowid --auth=trust -E UTF8 --no-locale \
            >"$d/postgres-initdb.log" 2>&1 || {
            tail -20 "$d/postgres-initdb.log" >&2
            return 1
        }
    fi
    rm -f "$d/postgres.log"
    touch "$d/postgres.log"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$d/postgres.log"
    # fsync stays on: the segment tests rely on what PostgreSQL promises.
    local args=(-D "$d/postgres" -p "$PG_PORT" -c listen_addresses=127.0.0.1
        -c unix_socket_directories="$d/postgres-run" -c max_connections=100)
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$bin/postgres" "${args[@]}" >>"$d/postgres.log" 2>&1 </dev/null &
    else
        "$bin/postgres" "${args[@]}" >>"$d/postgres.log" 2>&1 </dev/null &
    fi
    # As root `$!` is runuser's PID; the postmaster writes its own PID first
    # thing in postmaster.pid, so that is the one recorded.
    wait_until postgres "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || {
        tail -20 "$d/postgres.log" >&2
        return 1
    }
    head -1 "$d/postgres/postmaster.pid" >"$d/postgres.pid"
    if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U snowid -d postgres -tAq \
        -c "SELECT 1 FROM pg_database WHERE datname = 'snowid'" | grep -q 1; then
        "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U snowid -d postgres -q -c "CREATE DATABASE snowid" >/dev/null
    fi
    log "postgres up on 127.0.0.1:$PG_PORT (pid $(cat "$d/postgres.pid"))"
}

stop_one() {
    local d=$1 name=$2 pid sig=TERM
    # PostgreSQL's SIGTERM waits for every client to disconnect; SIGINT is its
    # "fast" shutdown (clients are disconnected, data is flushed).
    [ "$name" != postgres ] || sig=INT
    pid=$(pid_of "$d" "$name")
    [ -n "$pid" ] || return 0
    if alive "$pid"; then
        kill -s "$sig" "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + WAIT_S))
        while alive "$pid"; do
            if [ $SECONDS -ge $deadline ]; then
                log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
                kill -9 "$pid" 2>/dev/null || true
                deadline=$((SECONDS + 5))
            fi
            sleep 0.1
        done
        log "$name (pid $pid) stopped"
    fi
    rm -f "$d/$name.pid"
}

cmd=${1:-}
case "$cmd" in
deps) deps ;;
start)
    deps
    d=$(state_dir)
    start_etcd "$d"
    start_redis "$d"
    start_volatile_redis "$d"
    start_postgres "$d"
    ;;
stop)
    if [ -f "$STATE_FILE" ]; then
        d=$(cat "$STATE_FILE")
        if [ -d "$d" ]; then
            stop_one "$d" etcd
            stop_one "$d" redis
            stop_one "$d" volatile-redis
            stop_one "$d" postgres
            rm -rf "$d"
        fi
        rm -f "$STATE_FILE"
    fi
    ;;
restart-etcd | restart-redis | restart-volatile-redis | restart-postgres)
    d=$(state_dir)
    name=${cmd#restart-}
    stop_one "$d" "$name"
    "start_${name//-/_}" "$d"
    ;;
stop-etcd | stop-redis | stop-volatile-redis | stop-postgres)
    d=$(state_dir)
    stop_one "$d" "${cmd#stop-}"
    ;;
start-etcd | start-redis | start-volatile-redis | start-postgres)
    d=$(state_dir)
    name=${cmd#start-}
    "start_${name//-/_}" "$d"
    ;;
env)
    echo "SNOWID_TEST_ETCD_ENDPOINTS=$ETCD_CLIENT"
    echo "SNOWID_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/"
    echo "SNOWID_TEST_VOLATILE_REDIS_URL=redis://127.0.0.1:$VOLATILE_REDIS_PORT/"
    echo "SNOWID_TEST_POSTGRES_URL=postgres://snowid@127.0.0.1:$PG_PORT/snowid"
    ;;
*)
    echo "usage: $0 deps|start|stop|env|restart-NAME|stop-NAME|start-NAME (NAME: etcd, redis, volatile-redis, postgres)" >&2
    exit 2
    ;;
esac
