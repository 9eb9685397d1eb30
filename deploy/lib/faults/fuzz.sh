#!/usr/bin/env bash
# Fuzzes the in-process request path (PluginAPI over a real LifecycleService) with libFuzzer.
#
#   deploy/lib/faults/fuzz.sh              build, then fuzz for 60 s from Tests/Fuzz/corpus
#   deploy/lib/faults/fuzz.sh --long       the same for 10 minutes
#   deploy/lib/faults/fuzz.sh --time S | --runs N
#   FUZZ_CONFIG=debug ...                  build configuration (release by default)
#
# The oracle (Sources/PluginAPIFuzz): no crash or trap, never a 500, a well-formed answer
# (problem+json for errors), nothing created or changed outside the fuzzer's data directory.
# stdout carries only `FIGURE name value` lines; everything for humans goes to stderr.
# Exit 1 when libFuzzer found a crash (its input is kept under the artifacts folder and named).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
log() { printf '[fuzz] %s\n' "$*" >&2; }

SECONDS_BUDGET=60
RUNS=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --long) SECONDS_BUDGET=600 ;;
        --time) SECONDS_BUDGET="$2"; shift ;;
        --runs) RUNS="$2"; shift ;;
        -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" >&2; exit 0 ;;
        *) log "unknown argument: $1"; exit 2 ;;
    esac
    shift
done

CONFIG=${FUZZ_CONFIG:-release}
SCRATCH="$REPO/.build-fuzz"
ARTIFACTS=${FUZZ_ARTIFACTS:-$SCRATCH/artifacts}
mkdir -p "$ARTIFACTS"

# One flag for both sanitizers: passed as two -sanitize= options, SwiftPM's swiftc kept only
# the last and the code was not instrumented for coverage.
log "building plugin-api-fuzz ($CONFIG, -sanitize=fuzzer,address) in $SCRATCH"
(cd "$REPO" && swift build -c "$CONFIG" --product plugin-api-fuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING) >&2
BIN=$(cd "$REPO" && swift build -c "$CONFIG" --product plugin-api-fuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --show-bin-path)/plugin-api-fuzz

WORK=$(mktemp -d "${TMPDIR:-/tmp}/plugin-api-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/corpus" "$WORK/harness"
# A copy: libFuzzer adds what it finds to the first corpus folder, and the repository's seeds stay small.
cp "$REPO"/Tests/Fuzz/corpus/* "$WORK/corpus/"

LIMIT=(-max_total_time="$SECONDS_BUDGET")
[[ -n "$RUNS" ]] && LIMIT=(-runs="$RUNS")
log "fuzzing: ${LIMIT[*]}, corpus $(ls "$WORK/corpus" | wc -l) seeds, artifacts in $ARTIFACTS"
START=$(date +%s)
set +e
# detect_leaks=0: the Swift runtime's caches live until exit and are reported as leaks.
PLUGIN_API_FUZZ_WORKDIR="$WORK/harness" ASAN_OPTIONS=detect_leaks=0 \
    "$BIN" "${LIMIT[@]}" -max_len=16384 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$ARTIFACTS/" "$WORK/corpus" > "$WORK/fuzz.log" 2>&1
STATUS=$?
set -e
ELAPSED=$(( $(date +%s) - START ))
tail -n 25 "$WORK/fuzz.log" >&2

# "Done N runs in S second(s)" on a clean finish; after a crash the last "#N" status line,
# or stat::number_of_executed_units from -print_final_stats.
EXECUTIONS=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$WORK/fuzz.log" | tail -n 1)
[[ -z "$EXECUTIONS" ]] && EXECUTIONS=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$WORK/fuzz.log" | tail -n 1)
[[ -z "$EXECUTIONS" ]] && EXECUTIONS=$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' "$WORK/fuzz.log" | tail -n 1)
EXECUTIONS=${EXECUTIONS:-0}
mapfile -t CRASHES < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$WORK/fuzz.log")

printf 'FIGURE fuzz.executions %s\n' "$EXECUTIONS"
printf 'FIGURE fuzz.crashes %s\n' "${#CRASHES[@]}"
printf 'FIGURE fuzz.seconds %s\n' "$ELAPSED"

if [[ ${#CRASHES[@]} -gt 0 || $STATUS -ne 0 ]]; then
    cp "$WORK/fuzz.log" "$ARTIFACTS/last-fuzz.log"
    for crash in "${CRASHES[@]}"; do log "CRASH: input kept at $crash (replay: $BIN $crash)"; done
    log "libFuzzer exited $STATUS; full log: $ARTIFACTS/last-fuzz.log"
    exit 1
fi
log "no crash in $EXECUTIONS executions ($ELAPSED s)"
