#!/usr/bin/env bash
# The test suites under AddressSanitizer and ThreadSanitizer, with the pool's worker processes
# (integration tests) running the sanitized binary too.
#
#   deploy/lib/faults/sanitizers.sh [--long] [--only address|thread]
#
# A sanitizer report inside a worker process does not fail a test by itself (the supervisor
# replaces the worker): every process writes its reports to files (log_path), and any report
# fails this script. Builds go to .build-asan / .build-tsan (gitignored), so reruns are
# incremental. Figures: FIGURE sanitizers.<kind>.tests / .reports on stdout.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
PL_SCRIPT_NAME="faults/sanitizers"
# shellcheck source=deploy/lib/common.sh
source "$REPO/deploy/lib/common.sh"

long=0
kinds=(address thread)
while [[ $# -gt 0 ]]; do
    case $1 in
        --long) long=1 ;;
        --only) kinds=("$2"); shift ;;
        *) pl_die "unknown argument: $1" ;;
    esac
    shift
done

# Bounded runs take the suites where memory and thread errors would hide: the request path
# (hostile input included), tokens, the transport and supervisor (threads, signals, pipes), the
# store and core under concurrency, and the real stack. --long takes every suite.
filter_for() {
    if [[ $long -eq 1 ]]; then
        printf '.*'
        return
    fi
    case $1 in
        address) printf '%s' 'PluginAPITests|TokenAuthTests|TelemetryTests|FastCGITransportTests|WorkerSupervisorTests|LifecycleCoreTests|IntegrationTests' ;;
        thread) printf '%s' 'FastCGITransportTests|WorkerSupervisorTests|TelemetryTests|LifecycleStoreTests|LifecycleCoreTests|IntegrationTests.PoolTests|IntegrationTests.StackTests|IntegrationTests.ObservabilityTests' ;;
    esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/plugin-lifecycle-sanitizers.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

for kind in "${kinds[@]}"; do
    case $kind in
        address) scratch=$REPO/.build-asan ;;
        thread) scratch=$REPO/.build-tsan ;;
        *) pl_die "unknown sanitizer: $kind" ;;
    esac
    pl_log "$kind: building the tests with --sanitize=$kind (first build: several minutes)"
    (cd "$REPO" && swift build --build-tests --sanitize="$kind" --scratch-path "$scratch") >&2

    reports=$work/$kind
    mkdir -p "$reports"
    # detect_leaks=0: the Swift runtime's and Foundation's process-lifetime caches show up as
    # leaks at exit; this job is about memory errors and races, which abort with a report.
    export ASAN_OPTIONS="detect_leaks=0:log_path=$reports/asan:abort_on_error=1"
    export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1:suppressions=$REPO/deploy/lib/faults/tsan.supp"
    export PLUGIN_LIFECYCLE_BIN=$scratch/debug/plugin-lifecycle
    log=$work/$kind.log
    pl_log "$kind: swift test --filter '$(filter_for "$kind")'"
    set +e
    (cd "$REPO" && swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" \
        --filter "$(filter_for "$kind")") >"$log" 2>&1
    status=$?
    set -e
    read -r ran failing < <(pl_count_tests <"$log")
    count=$(find "$reports" -type f | wc -l)
    printf 'FIGURE sanitizers.%s.tests %d\n' "$kind" "$ran"
    printf 'FIGURE sanitizers.%s.reports %d\n' "$kind" "$count"
    if [[ $status -ne 0 || $failing -ne 0 || $ran -eq 0 ]]; then
        # The failing tests first (a long log would hide them), then the end of the log.
        grep -E "✘|recorded an issue|error:" "$log" | head -n 40 >&2 || true
        tail -n 30 "$log" >&2
        pl_log "$kind: swift test failed (exit $status, $ran tests, $failing failing)"
        failed=1
    fi
    if [[ $count -ne 0 ]]; then
        for f in "$reports"/*; do
            printf '\n----- %s -----\n' "$f" >&2
            head -n 60 "$f" >&2
        done
        pl_log "$kind: $count sanitizer report(s)"
        failed=1
    fi
    [[ $failed -eq 0 ]] && pl_log "$kind: $ran tests, no reports"
done
exit "$failed"
