#!/usr/bin/env bash
# Restarts under load: a real stack (the pool + nginx on a free loopback port) driven by wrk
# (GET status / available / health with a valid token) while
#   1. kills:  random workers get SIGKILL, one every 1.2-2 s;
#   2. rolls:  the master gets SIGHUP (replace every worker) several times;
#   3. drains: slow installs (FaultPoint install.staged:sleep=2) are in flight when every worker,
#              and at the end the master, gets SIGTERM.
# Pass criteria (exit 1 when one fails):
#   - kills: every failed request is a 502 problem+json of a request in flight on the killed
#     worker: at most THREADS failures per kill, none of another kind (no socket errors, no
#     connect failures in nginx's log); the pool is back to full size within 1 s of each kill;
#   - rolls and drains: no failed request at all; every slow install in flight on a draining
#     worker (or master) completes with 2xx; the master exits 0.
#
#   deploy/lib/faults/restarts.sh --bin .build/debug/plugin-lifecycle [--long] [--workers N] [--threads N]
#
# The stack is deploy/stack's, in the temporary folder.
#
# Figures on stdout as "FIGURE restarts.<name> <n>"; everything else on stderr. Needs wrk, nginx,
# curl. Default run about 1.5 minutes; --long about 4.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE="$REPO/deploy/lib/faults"
PL_SCRIPT_NAME="restarts"
# shellcheck source=deploy/lib/common.sh
source "$REPO/deploy/lib/common.sh"

BIN=""
LONG=0
WORKERS=2
THREADS=4
while [[ $# -gt 0 ]]; do
    case "$1" in
        --bin) BIN=$2; shift 2 ;;
        --long) LONG=1; shift ;;
        --workers) WORKERS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pl_die "unknown argument: $1 (see --help)" ;;
    esac
done
[[ -n "$BIN" ]] || pl_die "--bin PATH is required (e.g. .build/debug/plugin-lifecycle)"
[[ "$BIN" == /* ]] || BIN=$PWD/$BIN
[[ -x "$BIN" ]] || pl_die "not executable: $BIN"
for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null 2>&1 || pl_die "$tool is not installed (apt-get install -y $tool)"
done

if [[ $LONG -eq 1 ]]; then
    KILL_SECONDS=90; ROLLS=10; DRAIN_ROUNDS=4
else
    KILL_SECONDS=25; ROLLS=4; DRAIN_ROUNDS=2
fi
MAX_REFILL_MS=1000
WRK_ARGS=(-t2 -c16 --timeout 10s -s "$HERE/count.lua")

WORK=$(mktemp -d /tmp/restarts.XXXXXX)
# deploy/stack's layout with WORK as the stack's folder.
DATA=$WORK/data
NGINX_PREFIX=$WORK/nginx
POOL_LOG=$WORK/log/pool.log
POOL_PID=""
WRK_PID=""
FAILED=0

cleanup() {
    local code=$?
    if [[ -n "$WRK_PID" ]]; then kill "$WRK_PID" 2>/dev/null || true; fi
    "$REPO/deploy/stack" stop "$WORK" >/dev/null 2>&1 || true
    if [[ -n "$POOL_PID" ]]; then wait "$POOL_PID" 2>/dev/null || true; fi
    if [[ $code -ne 0 || $FAILED -ne 0 ]]; then
        pl_log "logs kept in $WORK (log/pool.log, nginx/error.log, nginx/access.log)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkfifo "$WORK/pause.fifo"
exec {PAUSE_FD}<>"$WORK/pause.fifo"

# No forks in the timing loops: on a loaded machine every fork can cost tens of milliseconds,
# which would be measured as the master's refill time.
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
stamp() { local t=${EPOCHREALTIME/[.,]/}; NOW_MS=$((t / 1000)); }

# The pool's workers, children of the master (zombies included until the master reaps them),
# into the array CHILDREN.
read_children() {
    local file line
    CHILDREN=()
    for file in /proc/"$POOL_PID"/task/*/children; do
        line=""
        read -r line <"$file" 2>/dev/null || true
        # shellcheck disable=SC2206 # pids separated by spaces
        CHILDREN+=($line)
    done
}

# A 10 ms pause without forking sleep(1): a read that times out on a fifo nobody writes.
pause() { read -r -t 0.01 -u "$PAUSE_FD" _ || true; }

# Waits until the pool has WORKERS children and none of the pids given; sets WAITED_MS to the
# time it took from $1 (a now_ms value); returns 1 after 10 s.
wait_full() {
    local since=$1; shift
    local gone=" $* " pid stale t
    while :; do
        read_children
        stale=0
        for pid in "${CHILDREN[@]}"; do [[ "$gone" == *" $pid "* ]] && stale=1; done
        t=${EPOCHREALTIME/[.,]/}
        WAITED_MS=$((t / 1000 - since))
        if [[ ${#CHILDREN[@]} -eq $WORKERS && $stale -eq 0 ]]; then
            return 0
        fi
        (( WAITED_MS > 10000 )) && return 1
        pause
    done
}

start_stack() {
    # --foreground: the launcher becomes the master, this script's child, whose exit status the
    # drains check. The fault only slows installs (2 s once staged): the drain rounds' requests
    # in flight.
    "$REPO/deploy/stack" start "$WORK" --foreground --bin "$BIN" --port auto --api-rate 100000r/s \
        --workers "$WORKERS" --threads "$THREADS" --env PLUGIN_LIFECYCLE_FAULT=install.staged:sleep=2 \
        -- --drain-timeout 10 >"$WORK/stack.out" 2>&1 &
    POOL_PID=$!
    local i
    for ((i = 0; i < 400; i++)); do
        [[ -s "$WORK/stack.env" ]] && break
        kill -0 "$POOL_PID" 2>/dev/null || break
        sleep 0.05
    done
    [[ -s "$WORK/stack.env" ]] || { cat "$WORK/stack.out" >&2; pl_die "deploy/stack did not start the stack"; }
    # shellcheck disable=SC1091 # written by deploy/stack
    source "$WORK/stack.env"
    BASE=$STACK_URL
    for ((i = 0; i < 200; i++)); do
        if curl -fsS -m 2 -o /dev/null "$BASE/api/plugins/health" 2>/dev/null && read_children && [[ ${#CHILDREN[@]} -eq $WORKERS ]]; then
            TOKEN=$("$BIN" token restarts_user --data-dir "$DATA")
            export TOKEN
            pl_log "stack up: $BASE, pool pid $POOL_PID, $WORKERS workers x $THREADS threads"
            return 0
        fi
        sleep 0.1
    done
    tail -n 30 "$POOL_LOG" >&2
    pl_die "the stack did not become healthy within 20 s"
}

# run_wrk NAME SECONDS: wrk in the background, output in $WORK/wrk-NAME.out.
run_wrk() {
    wrk "${WRK_ARGS[@]}" -d "$2s" "$BASE" >"$WORK/wrk-$1.out" 2>&1 &
    WRK_PID=$!
}

wait_wrk() {
    wait "$WRK_PID" || pl_die "wrk failed: $(tail -n 5 "$WORK/wrk-$1.out")"
    WRK_PID=""
}

# Reads $WORK/wrk-NAME.out: sets REQ, OK (200s), FAIL (everything else, socket errors included),
# FAIL_502 (502 problem+json answers) and ODD (failures of any other kind).
tally() {
    local file=$WORK/wrk-$1.out
    REQ=$(awk '$1 == "REQUESTS" { print $2 }' "$file")
    OK=$(awk '$1 == "STATUS" && $2 == 200 { n += $3 } END { print n + 0 }' "$file")
    local sockets statuses
    sockets=$(awk '$1 == "SOCKET" { n += $3 } END { print n + 0 }' "$file")
    statuses=$(awk '$1 == "STATUS" && $2 != 200 { n += $3 } END { print n + 0 }' "$file")
    FAIL_502=$(awk '$1 == "STATUS" && $2 == 502 { n += $3 - $4 } END { print n + 0 }' "$file")
    FAIL=$((statuses + sockets))
    ODD=$((FAIL - FAIL_502))
    [[ -n "$REQ" ]] || pl_die "no summary from wrk: $(tail -n 5 "$file")"
    pl_log "$1: $REQ requests, $OK ok, $FAIL failed ($FAIL_502 x 502 problem+json, $ODD other): $(grep -E '^(STATUS|SOCKET)' "$file" | tr '\n' ' ')"
}

# nginx error-log lines since line $1 that are not a killed worker cutting its requests short:
# e.g. a connect() failure (backlog full, no socket) or a timeout.
odd_upstream_errors() {
    tail -n +"$(( $1 + 1 ))" "$NGINX_PREFIX/error.log" \
        | grep -E 'upstream|connect\(\)|timed out' \
        | grep -vE 'prematurely closed|Connection reset by peer|Broken pipe' | grep -c . || true
}

log_lines() { wc -l <"$NGINX_PREFIX/error.log"; }

fail() { pl_log "FAIL: $*"; FAILED=1; }

# ---------------------------------------------------------------------------------------------
start_stack
TOTAL_REQ=0
TOTAL_FAIL=0

# 1. SIGKILL random workers.
pl_log "kills: wrk for ${KILL_SECONDS}s, SIGKILL a random worker every 1.2-2 s"
mark=$(log_lines)
run_wrk kill "$KILL_SECONDS"
start=$(now_ms)
KILLS=0
MAX_REFILL=0
sleep 1
while (( $(now_ms) - start < (KILL_SECONDS - 3) * 1000 )); do
    read_children
    victim=${CHILDREN[RANDOM % ${#CHILDREN[@]}]}
    # Timed from just before the signal, so nothing of the script's own is left out.
    stamp
    killed_at=$NOW_MS
    kill -KILL "$victim" 2>/dev/null || continue
    KILLS=$((KILLS + 1))
    if wait_full "$killed_at" "$victim"; then
        refill=$WAITED_MS
        pl_log "kill $KILLS: pid $victim, pool full again after ${refill} ms"
        (( refill > MAX_REFILL )) && MAX_REFILL=$refill
        (( refill > MAX_REFILL_MS )) && fail "kill $KILLS (pid $victim): pool full again only after ${refill} ms"
    else
        fail "kill $KILLS (pid $victim): pool not full again within 10 s"
        MAX_REFILL=10000
    fi
    sleep "1.$((2 + RANDOM % 8))"
done
wait_wrk kill
tally kill
KILL_FAIL=$FAIL
OUTSIDE=$((ODD + $(odd_upstream_errors "$mark")))
TOTAL_REQ=$((TOTAL_REQ + REQ)); TOTAL_FAIL=$((TOTAL_FAIL + FAIL))
(( KILL_FAIL <= KILLS * THREADS )) || fail "kills: $KILL_FAIL failed requests for $KILLS kills (at most $THREADS each)"
(( OUTSIDE == 0 )) || fail "kills: $OUTSIDE failures not explained by a killed worker's requests in flight"
pl_log "kills: $KILLS, max time to a full pool ${MAX_REFILL} ms; restart delays chosen by the master:" \
    "$(grep -oE 'restart_in=[0-9.]+ [a-z]+' "$POOL_LOG" | sort | uniq -c | tr -s ' \n' ' ')"

# 2. SIGHUP rolls.
pl_log "rolls: $ROLLS x SIGHUP under wrk"
mark=$(log_lines)
run_wrk roll $((ROLLS * 6 + 5))
sleep 1
ROLL_COUNT=0
MAX_ROLL=0
for ((r = 1; r <= ROLLS; r++)); do
    read_children
    before=("${CHILDREN[@]}")
    stamp
    hup_at=$NOW_MS
    kill -HUP "$POOL_PID"
    if wait_full "$hup_at" "${before[@]}"; then
        took=$WAITED_MS
        ROLL_COUNT=$((ROLL_COUNT + 1))
        (( took > MAX_ROLL )) && MAX_ROLL=$took
    else
        fail "roll $r: old workers still there 10 s after SIGHUP"
    fi
    sleep 2
done
# Let wrk finish on its own (its duration covers the rolls).
wait_wrk roll
tally roll
ROLL_FAIL=$FAIL
TOTAL_REQ=$((TOTAL_REQ + REQ)); TOTAL_FAIL=$((TOTAL_FAIL + FAIL))
(( ROLL_FAIL == 0 )) || fail "rolls: $ROLL_FAIL failed requests (must be none)"
roll_odd=$(odd_upstream_errors "$mark")
(( roll_odd == 0 )) || fail "rolls: $roll_odd upstream errors in nginx's log"

# 3. SIGTERM drains with slow installs in flight.
# Plugins without dependencies (library needs chat).
slugs=(braindrive-settings braindrive-network braindrive-chat)
INSTALLS=0
INSTALLS_OK=0
# install USER OUTFILE: a slow install (2 s in the fault point) in the background.
install_bg() {
    local token
    token=$("$BIN" token "$1" --data-dir "$DATA")
    curl -sS -m 30 -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $token" \
        "$BASE/api/plugins/${slugs[$3]}/install" >"$2" 2>&1 &
}
pl_log "drains: $DRAIN_ROUNDS rounds of SIGTERM to every worker with slow installs in flight, under wrk"
mark=$(log_lines)
run_wrk drain $((DRAIN_ROUNDS * 6 + 4))
sleep 1
for ((d = 1; d <= DRAIN_ROUNDS; d++)); do
    curls=()
    for ((i = 0; i < WORKERS * 2; i++)); do
        install_bg "drain${d}_$i" "$WORK/install-$d-$i" $((i % ${#slugs[@]}))
        curls+=($!)
        INSTALLS=$((INSTALLS + 1))
    done
    sleep 0.8  # every install is now inside its 2 s pause
    read_children
    before=("${CHILDREN[@]}")
    stamp
    term_at=$NOW_MS
    for pid in "${before[@]}"; do kill -TERM "$pid"; done
    for pid in "${curls[@]}"; do wait "$pid" || true; done
    for ((i = 0; i < WORKERS * 2; i++)); do
        code=$(<"$WORK/install-$d-$i")
        if [[ "$code" == 2?? ]]; then INSTALLS_OK=$((INSTALLS_OK + 1)); else fail "drain $d: install $i answered $code"; fi
    done
    wait_full "$term_at" "${before[@]}" || fail "drain $d: pool not full again within 10 s"
    sleep 2
done
wait_wrk drain
tally drain
DRAIN_FAIL=$FAIL
TOTAL_REQ=$((TOTAL_REQ + REQ)); TOTAL_FAIL=$((TOTAL_FAIL + FAIL))
(( DRAIN_FAIL == 0 )) || fail "drains: $DRAIN_FAIL failed requests (must be none)"
drain_odd=$(odd_upstream_errors "$mark")
(( drain_odd == 0 )) || fail "drains: $drain_odd upstream errors in nginx's log"

# The master itself: SIGTERM with a slow install in flight; it answers, then the master exits 0.
install_bg drain_master "$WORK/install-master" 0
master_curl=$!
INSTALLS=$((INSTALLS + 1))
sleep 0.8
kill -TERM "$POOL_PID"
wait "$master_curl" || true
code=$(<"$WORK/install-master")
if [[ "$code" == 2?? ]]; then INSTALLS_OK=$((INSTALLS_OK + 1)); else fail "master drain: install answered $code"; fi
master_exit=0
wait "$POOL_PID" || master_exit=$?
POOL_PID=""
(( master_exit == 0 )) || fail "master exited $master_exit after SIGTERM"

echo "FIGURE restarts.requests $TOTAL_REQ"
echo "FIGURE restarts.failed $TOTAL_FAIL"
echo "FIGURE restarts.kills $KILLS"
echo "FIGURE restarts.kill_failed $KILL_FAIL"
echo "FIGURE restarts.failed_outside_killed $OUTSIDE"
echo "FIGURE restarts.max_refill_ms $MAX_REFILL"
echo "FIGURE restarts.rolls $ROLL_COUNT"
echo "FIGURE restarts.roll_failed $ROLL_FAIL"
echo "FIGURE restarts.max_roll_ms $MAX_ROLL"
echo "FIGURE restarts.drain_failed $DRAIN_FAIL"
echo "FIGURE restarts.drain_installs $INSTALLS"
echo "FIGURE restarts.drain_installs_ok $INSTALLS_OK"
echo "FIGURE restarts.master_exit $master_exit"

if [[ $FAILED -ne 0 ]]; then
    pl_log "FAILED (see above)"
    exit 1
fi
pl_log "passed"
