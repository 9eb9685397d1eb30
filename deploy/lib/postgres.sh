# A private PostgreSQL server for the tests and the local cluster: Debian's postgresql package,
# its own data folder, a unix socket only (no TCP). Source it after common.sh; it defines only
# functions.
#
#   pl_pg_start DIR [--fast]   initdb into DIR/data the first time, start, create the database;
#                              prints DATABASE_URL=… and exports PL_PG_URL
#   pl_pg_stop DIR             stops it (nothing when it is not running)
#
# initdb and postgres refuse to run as root: as root they run as the package's `postgres` user,
# so DIR and every folder above it must be traversable by that user (the tests use
# `mktemp -d /tmp/pl-pg.XXXXXX`; pl_pg_start hands DIR to postgres).
# shellcheck shell=bash

# The newest installed server's bin folder (/usr/lib/postgresql/N/bin).
pl_pg_bin() {
    local dir version best="" best_version=-1
    for dir in /usr/lib/postgresql/*/bin; do
        version=${dir#/usr/lib/postgresql/}
        version=${version%/bin}
        [[ $version =~ ^[0-9]+$ && -x $dir/pg_ctl ]] || continue
        if ((version > best_version)); then
            best_version=$version
            best=$dir
        fi
    done
    [[ -n $best ]] || pl_die "no PostgreSQL server in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    printf '%s\n' "$best"
}

# Runs a server command as the data folder's owner: `postgres` when we are root.
pl_pg_as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pl_pg_start() {
    local dir=${1:?pl_pg_start DIR [--fast]} fast=0 bin
    [[ ${2:-} == --fast ]] && fast=1
    bin=$(pl_pg_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # Trust on the socket only: the socket folder is 0700, so only its owner (and root) connect.
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$dir"
    fi
    chmod 0700 "$dir"
    if [[ ! -s $dir/data/PG_VERSION ]]; then
        pl_pg_as_owner "$bin/initdb" -D "$dir/data" -U plugin_lifecycle -A trust -E UTF8 --locale=C \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; pl_die "initdb failed in $dir/data"; }
    fi
    pl_pg_as_owner mkdir -p -m 0700 "$dir/run"
    local options="-k $dir/run -c listen_addresses='' -c max_connections=200"
    # Tests only: durability traded for speed (a crash of the machine may lose the database).
    if [[ $fast -eq 1 ]]; then
        options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    if ! pl_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w -t 60 start >/dev/null; then
        tail -n 20 "$dir/server.log" >&2 || true
        pl_die "PostgreSQL did not start in $dir (log: $dir/server.log)"
    fi
    local exists
    exists=$("$bin/psql" -h "$dir/run" -U plugin_lifecycle -d postgres -XAtc \
        "SELECT 1 FROM pg_database WHERE datname = 'plugin_lifecycle'") || pl_die "psql could not reach the server in $dir"
    if [[ $exists != 1 ]]; then
        "$bin/createdb" -h "$dir/run" -U plugin_lifecycle plugin_lifecycle || pl_die "createdb failed"
    fi
    PL_PG_URL="postgresql:///plugin_lifecycle?host=$dir/run&user=plugin_lifecycle"
    export PL_PG_URL
    printf 'DATABASE_URL=%s\n' "$PL_PG_URL"
}

pl_pg_stop() {
    local dir=${1:?pl_pg_stop DIR}
    [[ -f $dir/data/postmaster.pid ]] || return 0
    pl_pg_as_owner "$(pl_pg_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}
