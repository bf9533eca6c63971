#!/usr/bin/env bash
# Rust: formatting, clippy with warnings denied, every unit/integration/doc test of the workspace.
set -uo pipefail
cd "$(dirname "$0")/../.."
rc=0
cargo fmt --all -- --check || { echo "cargo fmt: run 'cargo fmt --all'"; rc=1; }
cargo clippy --workspace --all-targets --locked -- -D warnings || rc=1
out=$(mktemp)
cargo test --workspace --locked 2>&1 | tee "$out"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# The golden scenarios' counts, compared by scripts/test-all with the other languages' runners.
cargo test -p portail --locked --test scenarios -- --nocapture 2>/dev/null | grep -E '^scenarios: '
p=$(sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
f=$(sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\2/p' "$out" | awk '{s+=$1} END {print s+0}')
echo "STAGE_RESULT ${p:-0} ${f:-0}"
exit $rc
