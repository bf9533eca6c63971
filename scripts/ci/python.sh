#!/usr/bin/env bash
# Python binding: build the abi3 wheel (debug), install it into a fresh virtual environment,
# then run pytest (tests/python), stubtest on the hand-written stubs, mypy --strict over the
# tests and the example, and the example itself. Ends with STAGE_RESULT <passed> <failed>
# (pytest's counts, plus one failure per other check that fails).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV="$TARGET/python-venv"
WHEELS="$TARGET/python-wheels"
export PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

fail() { echo "python stage: $*" >&2; echo "STAGE_RESULT 0 1"; exit 1; }

# Python 3.9+ with venv (Debian splits ensurepip into python3-venv).
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 9)' 2>/dev/null; then
  echo "installing python3 and python3-venv"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    python3 python3-venv python3-pip >/dev/null || fail "cannot install python3-venv"
  PY=python3
fi

# A fresh virtual environment for every run: the wheel must install on its own.
rm -rf "$VENV" "$WHEELS"
"$PY" -m venv "$VENV" || fail "cannot create $VENV"
VPY="$VENV/bin/python"
"$VPY" -m pip install -q "maturin==1.16.0" "pytest==9.2.0" "mypy==2.4.1" || fail "pip install failed"

# Build the wheel (debug profile) and install it like a user would.
"$VENV/bin/maturin" build -m bindings-python/Cargo.toml -o "$WHEELS" --interpreter "$VPY" \
  || fail "maturin build failed"
wheel=$(ls "$WHEELS"/portail-*.whl 2>/dev/null | head -n 1)
[ -n "$wheel" ] || fail "no wheel in $WHEELS"
"$VPY" -m pip install -q --force-reinstall --no-deps "$wheel" || fail "pip install $wheel failed"
echo "installed $(basename "$wheel")"

extra_failed=0
out=$(mktemp)
(cd "$ROOT" && "$VPY" -m pytest tests/python -q -p no:cacheprovider) 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
summary=$(grep -E 'passed|failed|error|no tests ran' "$out" | tail -n 1)
count() { echo "$summary" | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+' | head -n 1; }
passed=$(count passed); passed=${passed:-0}
failed=$(count failed); failed=${failed:-0}
errors=$(count 'errors?'); errors=${errors:-0}
failed=$((failed + errors))
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests"; failed=$((failed + 1))
elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "=== stubtest"
(cd "$TARGET" && "$VPY" -m mypy.stubtest portail \
  --allowlist "$ROOT/bindings-python/stubtest-allowlist.txt") || extra_failed=$((extra_failed + 1))

echo "=== mypy --strict (package, tests, example)"
"$VPY" -m mypy --strict --cache-dir "$TARGET/mypy-cache" -p portail || extra_failed=$((extra_failed + 1))
(cd tests/python && "$VPY" -m mypy --strict --cache-dir "$TARGET/mypy-cache" .) || extra_failed=$((extra_failed + 1))
"$VPY" -m mypy --strict --cache-dir "$TARGET/mypy-cache" examples/python/demo.py || extra_failed=$((extra_failed + 1))

echo "=== example: examples/python/demo.py (run twice on the same folder)"
demo_dir="$TARGET/python-demo-data"
rm -rf "$demo_dir"
{ "$VPY" examples/python/demo.py "$demo_dir" && "$VPY" examples/python/demo.py "$demo_dir" >/dev/null; } \
  || extra_failed=$((extra_failed + 1))

failed=$((failed + extra_failed))
echo "STAGE_RESULT $passed $failed"
[ "$failed" -eq 0 ]
