# Shared shell functions for the scripts in deploy/. Source it; it defines only functions and
# never changes the caller's options.
# shellcheck shell=bash

# System packages the service builds and runs against (Debian 12 names).
PL_APT_PACKAGES=(nginx libfcgi-dev libfcgi-bin libsqlite3-dev libpq-dev curl)

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
