# Shared shell functions for deploy/run, deploy/test and .ci/run. Source it; it defines only
# functions and never changes the caller's options.
# shellcheck shell=bash

# System packages the service builds and runs against (Debian 12 names).
PL_APT_PACKAGES=(nginx libfcgi-dev libfcgi-bin libsqlite3-dev curl)

pl_log() { printf '%s %s\n' "[${PL_SCRIPT_NAME:-deploy}]" "$*" >&2; }
pl_die() { pl_log "error: $*"; exit 1; }

# Prints the packages of PL_APT_PACKAGES that are not installed (one per line).
pl_missing_packages() {
    local pkg
    for pkg in "${PL_APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            printf '%s\n' "$pkg"
        fi
    done
}

# Installs missing system packages with apt-get when root; otherwise says what to install.
pl_ensure_packages() {
    command -v dpkg-query >/dev/null 2>&1 || { pl_log "not a Debian system: install ${PL_APT_PACKAGES[*]} yourself"; return 0; }
    local missing=()
    mapfile -t missing < <(pl_missing_packages)
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    if [[ $(id -u) -ne 0 ]]; then
        pl_die "missing packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
    fi
    pl_log "installing missing packages: ${missing[*]}"
    # A fresh machine may have no package lists yet: update once if the first try fails.
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; } \
        || pl_die "apt-get install failed"
}

# render_nginx_conf TEMPLATE OUT LISTEN PREFIX FCGI_SOCKET HTML_ROOT [USER_DIRECTIVE]
# Replaces the placeholders documented at the top of nginx/plugin-lifecycle.conf. USER_DIRECTIVE
# defaults to "user root;" when run as root (so nginx workers reach the 0660 socket), else "".
render_nginx_conf() {
    local template=$1 out=$2 listen=$3 prefix=$4 socket=$5 html=$6
    local user_directive
    if [[ $# -ge 7 ]]; then
        user_directive=$7
    elif [[ $(id -u) -eq 0 ]]; then
        user_directive="user root;"
    else
        user_directive=""
    fi
    local path
    for path in "$prefix" "$socket" "$html"; do
        [[ "$path" == /* ]] || pl_die "render_nginx_conf: not an absolute path: $path"
        # A space, quote, semicolon or brace would change the meaning of the directive.
        [[ "$path" != *[[:space:]\;\{\}\"\']* ]] || pl_die "render_nginx_conf: unusable path for nginx: $path"
    done
    local text
    text=$(<"$template") || pl_die "cannot read $template"
    # Quoted replacements: bash 5.2 would otherwise expand "&" in them.
    text=${text//__USER_DIRECTIVE__/"$user_directive"}
    text=${text//__LISTEN__/"$listen"}
    text=${text//__PREFIX__/"$prefix"}
    text=${text//__FCGI_SOCKET__/"$socket"}
    text=${text//__HTML_ROOT__/"$html"}
    # Per-address rate limit: the development default, or API_RATE from the environment.
    text=${text//__API_RATE__/"${API_RATE:-100r/s}"}
    if grep -qE '__[A-Z_]+__' <<<"$text"; then
        pl_die "render_nginx_conf: placeholders left in $template: $(grep -oE '__[A-Z_]+__' <<<"$text" | sort -u | tr '\n' ' ')"
    fi
    printf '%s\n' "$text" >"$out"
}

# pid_alive PIDFILE [NAME]: true when the file names a live process (whose command line
# mentions NAME when given, so a pid reused by an unrelated process is never taken for ours).
pid_alive() {
    local pid
    [[ -s "$1" ]] || return 1
    pid=$(<"$1")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -n "${2:-}" && -r "/proc/$pid/cmdline" ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
    fi
    return 0
}

# stop_pidfile NAME PIDFILE [TIMEOUT_SECONDS] [MATCH]: TERM the process in PIDFILE, wait, then
# KILL. Signals only that pid, and only if its command line mentions MATCH (default NAME);
# removes the pid file.
stop_pidfile() {
    local name=$1 pidfile=$2 timeout=${3:-15} match=${4:-$1} pid i
    if ! pid_alive "$pidfile" "$match"; then
        if [[ -e "$pidfile" ]]; then
            rm -f "$pidfile"
            pl_log "$name: not running (removed stale $pidfile)"
        else
            pl_log "$name: not running"
        fi
        return 0
    fi
    pid=$(<"$pidfile")
    pl_log "$name: stopping pid $pid (TERM)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        pl_log "$name: pid $pid still running after ${timeout}s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    rm -f "$pidfile"
    pl_log "$name: stopped (pid $pid)"
}

# Swift test summary lines → "ran failed" totals (XCTest and Swift Testing, which both run under
# `swift test`). Reads the log on stdin. Prints two integers.
pl_count_tests() {
    awk '
        # XCTest: "Executed 12 tests, with 0 failures (0 unexpected) in ..." (one per suite level;
        # the last "All tests" / bundle summary is the total, so keep the maximum).
        /Executed [0-9]+ tests?, with [0-9]+ failures?/ {
            for (i = 1; i <= NF; i++) {
                if ($i == "Executed") n = $(i + 1) + 0
                if ($i == "with") f = $(i + 1) + 0
            }
            if (n > xn) { xn = n; xf = f } else if (n == xn && f > xf) { xf = f }
        }
        # Swift Testing: "Test run with 7 tests in 3 suites passed after ..." or
        # "Test run with 7 tests in 3 suites failed after ... with 2 issues."
        /Test run with [0-9]+ tests?/ {
            for (i = 1; i <= NF; i++) if ($i == "with" && $(i + 2) ~ /^tests?$/) sn = $(i + 1) + 0
            if ($0 ~ / failed /) sf = 1
        }
        END { printf "%d %d\n", xn + sn, xf + sf }
    '
}

# pl_limited MINUTES NAME COMMAND...: runs one step with a time limit so a hang fails fast,
# naming the step, instead of running into CI's cut. Plain `timeout` (not --foreground): it signals
# the command's whole process group, so the processes a step starts (swift test's runner, nginx,
# workers) go too. TERM first, KILL 30 s later. Returns the command's status; on expiry, dies.
pl_limited() {
    local minutes=$1 name=$2 status=0
    shift 2
    timeout --kill-after=30 "$((minutes * 60))" "$@" || status=$?
    if [[ $status -eq 124 || $status -eq 137 ]]; then
        pl_die "step '$name' did not finish within $minutes minutes (a hang?): stopped"
    fi
    return "$status"
}
