#!/usr/bin/env bash
# Node binding: npm packages (from the committed lock), the napi-rs addon (debug), the generated
# index.d.ts/index.js unchanged, the node --test suite under tests/node, a TypeScript type check
# of examples/node/demo.ts, and the seed-000 example examples/node/demo.mjs.
# Ends with "STAGE_RESULT <passed> <failed>": node's "# pass N" / "# fail N", plus one each for
# the typings check, tsc and the example.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export CARGO_TERM_COLOR=never
LOG=$(mktemp -d)
checks_passed=0
checks_failed=0
check() { # name, command...
  local name=$1; shift
  if "$@"; then
    echo "ok: $name"; checks_passed=$((checks_passed + 1))
  else
    echo "FAILED: $name"; checks_failed=$((checks_failed + 1))
  fi
}
finish() {
  local p f
  p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$LOG/node.txt" 2>/dev/null | tail -n 1)
  f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$LOG/node.txt" 2>/dev/null | tail -n 1)
  p=$(( ${p:-0} + checks_passed )); f=$(( ${f:-0} + checks_failed ))
  echo "STAGE_RESULT $p $f"
  [ "$f" -eq 0 ] && [ "${1:-0}" -eq 0 ]
  exit $?
}

# Node 20 and npm (preinstalled here; Debian's nodejs otherwise).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "installing nodejs and npm"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "node $(node --version), npm $(npm --version)"

# npm install, not npm ci: the registry lacks other platforms' optional packages that the
# @napi-rs/cli lock would need (see shared TOOLCHAIN.md); the committed lock is kept as is.
(cd bindings-node && npm install --no-audit --no-fund --loglevel=error) || { checks_failed=$((checks_failed + 1)); finish 1; }

# Build the addon; regenerating the typings and the loader must change nothing.
cp bindings-node/index.d.ts "$LOG/index.d.ts.committed"
cp bindings-node/index.js "$LOG/index.js.committed"
if ! (cd bindings-node && npm run --silent build); then
  checks_failed=$((checks_failed + 1)); finish 1
fi
ls -l bindings-node/*.node
typings_unchanged() {
  diff -u "$LOG/index.d.ts.committed" bindings-node/index.d.ts && diff -u "$LOG/index.js.committed" bindings-node/index.js
}
check "index.d.ts and index.js unchanged by the build" typings_unchanged

# The test suite.
node --test tests/node/ 2>&1 | tee "$LOG/node.txt"
rc=${PIPESTATUS[0]}
# The golden scenarios' summary line, as the other runners print it (node's TAP reporter shows
# what tests/node/scenarios.test.mjs prints as a "# " comment).
sed -nE 's/^# (scenarios: [0-9]+ files, [0-9]+ steps, [0-9]+ assertions)$/\1/p' "$LOG/node.txt" | tail -n 1

# The examples: type-check demo.ts, run demo.mjs (both import 'portail' by name).
(cd examples/node && npm install --no-audit --no-fund --loglevel=error) >/dev/null
check "tsc --noEmit examples/node/demo.ts" bindings-node/node_modules/.bin/tsc -p examples/node
check "examples/node/demo.mjs" node examples/node/demo.mjs

finish "$rc"
