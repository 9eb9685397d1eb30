# deploy/stack's local cluster (--hosts N): the store every host shares, the N pools and their
# health. Sourced by deploy/stack after common.sh and postgres.sh; it defines only functions and
# uses deploy/stack's globals (DIR, DATA_DIR, BIN, WORKERS, THREADS, SESSION, HOSTS, ...).
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2153 # the globals here are deploy/stack's

# cluster_layout: one socket, pid file and log per host, h1 to hN, into SOCKETS, PID_FILES and
# POOL_LOGS; h1's are also SOCKET and POOL_LOG, the facts every single-pool caller reads.
cluster_layout() {
    local k
    SOCKETS=() PID_FILES=() POOL_LOGS=()
    for ((k = 1; k <= HOSTS; k++)); do
        SOCKETS+=("$DATA_DIR/run/h$k/fcgi.sock")
        PID_FILES+=("$DATA_DIR/run/h$k/pool.pid")
        POOL_LOGS+=("$DIR/log/pool-h$k.log")
    done
    SOCKET=${SOCKETS[0]} POOL_LOG=${POOL_LOGS[0]}
}

# cluster_store: the server named by --database-url (or PLUGIN_LIFECYCLE_DATABASE_URL), else one
# of the stack's own in PG_DIR. Exports PLUGIN_LIFECYCLE_DATABASE_URL, which `init` and the pools
# inherit: the URL may hold a password, and argv is visible to every user (ps).
cluster_store() {
    if [[ -n "$DATABASE_URL" ]]; then
        PG_DIR=""
    else
        if [[ -z "$PG_DIR" ]]; then
            if [[ $EUID -eq 0 ]]; then
                # The server runs as `postgres`, which cannot pass a root-only folder (DIR often is).
                PG_DIR=/var/tmp/plugin-lifecycle-pg/$(printf '%s' "$DATA_DIR" | sha256sum | cut -c1-12)
                mkdir -p /var/tmp/plugin-lifecycle-pg
            else
                PG_DIR=$DIR/postgres
            fi
        fi
        check_path "$PG_DIR"
        # The server's socket is PG_DIR/run/.s.PGSQL.5432, and sun_path holds 108 bytes.
        ((${#PG_DIR} < 80)) || pl_die "--pg-dir too long for the server's unix socket: $PG_DIR"
        pl_log "postgresql: starting in $PG_DIR (log $PG_DIR/server.log)"
        PG_STARTING=1
        # Folders made on the way (DATA_DIR itself when it holds PG_DIR) get the mode `init` gives.
        (umask 027 && mkdir -p "$PG_DIR")
        pl_pg_start "$PG_DIR" >/dev/null
        DATABASE_URL=$PL_PG_URL
    fi
    export PLUGIN_LIFECYCLE_DATABASE_URL=$DATABASE_URL
}

# cluster_start_pools POOL_ENV... -- SERVE_ARGS...: N `serve` masters (with HOST_ENV's pairs K
# NAME=VALUE for host hK), each in a process group of
# its own (setsid), so that a whole host, master and workers, can be stopped or killed at once
# (deploy/faults' hosts part). POOL_PID (h1's) and POOL_PIDS.
cluster_start_pools() {
    local pool_env=() serve_args=() k args host_env i
    while [[ $1 != -- ]]; do pool_env+=("$1"); shift; done
    shift
    serve_args=("$@")
    POOL_PIDS=()
    for ((k = 1; k <= HOSTS; k++)); do
        host_env=()
        for ((i = 0; i < ${#HOST_ENV[@]}; i += 2)); do
            [[ ${HOST_ENV[i]} == "$k" ]] && host_env+=("${HOST_ENV[i + 1]}")
        done
        mkdir -p "${SOCKETS[k - 1]%/*}"
        # A socket left by a killed pool would make the new one fail to bind.
        [[ -S "${SOCKETS[k - 1]}" ]] && rm -f "${SOCKETS[k - 1]}"
        args=(serve --data-dir "$DATA_DIR" --host-id "h$k" --socket "${SOCKETS[k - 1]}" --pid-file "${PID_FILES[k - 1]}")
        [[ -n "$WORKERS" ]] && args+=(--workers "$WORKERS")
        [[ -n "$THREADS" ]] && args+=(--threads "$THREADS")
        args+=("${serve_args[@]}")
        (close_inherited; exec setsid env "${pool_env[@]}" "${host_env[@]}" "$BIN" "${args[@]}" </dev/null >>"${POOL_LOGS[k - 1]}" 2>&1) &
        POOL_PIDS+=("$!")
    done
    POOL_PID=${POOL_PIDS[0]}
}

# host_health SOCKET: health answers 200 through this host's own socket, not nginx's round-robin
# (a host asked through nginx before its socket exists would be left out for fail_timeout).
host_health() {
    local answer
    answer=$(REQUEST_METHOD=GET REQUEST_URI=/api/plugins/health SERVER_PROTOCOL=HTTP/1.1 \
        timeout 3 cgi-fcgi -bind -connect "$1" 2>/dev/null) || return 1
    [[ $answer == "Status: 200"* || $answer != Status:* && -n $answer ]]
}

# cluster_wait_healthy URL: every host answers health on its socket with all its workers up, then
# nginx does (30 s at most).
cluster_wait_healthy() {
    local url=$1 i k ready
    for ((i = 0; i < 300; i++)); do
        ready=1
        for ((k = 0; k < HOSTS; k++)); do
            running "${POOL_PIDS[k]}" || { show_logs "${POOL_LOGS[k]}"; return 1; }
            workers_of "${POOL_PIDS[k]}"
            if [[ -n "$WORKERS" && ${#WORKER_PIDS[@]} -ne $WORKERS ]] || ! host_health "${SOCKETS[k]}"; then
                ready=0
                break
            fi
        done
        if [[ $ready == 1 ]] && curl -kfsS -m 2 -o /dev/null "$url/api/plugins/health" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    show_logs "${POOL_LOGS[@]}" "$PREFIX/error.log"
    return 1
}
