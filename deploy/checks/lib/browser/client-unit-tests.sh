#!/usr/bin/env bash
# Unit tests of the page's modules without a server, under Node: deploy/web/js/plugin-api.js with a
# fake fetch (plugin-api.test.mjs) and deploy/web/js/bundle-loader.js with the sample catalog's real
# containers in a DOM stand-in (bundle-loader.test.mjs). Prints one summary line on stdout.
#
# The tests import copies of the modules that load as ES modules on any Node 18+ (an .mjs copy, or
# copies under a package.json saying "module", as plugin-api.js's header gives), so Debian 12's
# nodejs (18) runs them as well as Node 20/22. Without a node 18+ it fails in CI (the
# CI environment variable set, as .ci/run does; .ci/run installs nodejs) and elsewhere prints that
# it skipped the tests and exits 0.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
PL_SCRIPT_NAME="deploy/checks/browser-test"
# shellcheck source=deploy/lib/common.sh
source "$REPO/deploy/lib/common.sh"

major=0
if command -v node >/dev/null 2>&1; then
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
fi
if [[ ! "$major" =~ ^[0-9]+$ || $major -lt 18 ]]; then
    found=$(command -v node >/dev/null 2>&1 && node --version 2>/dev/null || echo "no node on PATH")
    if [[ -n "${CI:-}" ]]; then
        pl_die "CI: the unit tests of the page's modules need node 18+ ($found); install it with: apt-get install -y nodejs"
    fi
    pl_log "SKIPPED the unit tests of the page's modules: they need node 18+ ($found); CI fails here"
    echo "skipped ($found; node 18+ needed)"
    exit 0
fi
pl_log "node $(node --version): unit tests of deploy/web/js/plugin-api.js and bundle-loader.js"
node --test "$REPO/deploy/checks/lib/browser/plugin-api.test.mjs" "$REPO/deploy/checks/lib/browser/bundle-loader.test.mjs" >&2 \
    || pl_die "unit tests of the page's modules failed"
echo "passed (node $(node --version))"
