#!/usr/bin/env bash
# Kotlin (JVM): build the uniffi cdylib and the workspace's uniffi-bindgen (debug), generate the
# Kotlin binding (package dev.portail) into bindings-kotlin/build/generated, compile it with Maven
# (kotlin-maven-plugin), run the JUnit 5 tests with JNA loading the fresh libportail_uniffi.so,
# then run the seed-000 example (examples/kotlin/Demo.kt). Maven downloads its dependencies into
# ~/.m2 (cached between runs). Ends with STAGE_RESULT <passed> <failed> from Surefire's summary.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
LIBDIR="$TARGET/debug"
GEN="$ROOT/bindings-kotlin/build/generated"
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT

fail() {
  echo "kotlin stage: $1" >&2
  echo
  echo "STAGE_RESULT 0 1"
  exit 1
}

# 0. A JDK (17+) and Maven, from Debian if missing.
if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
  pkgs=()
  command -v javac >/dev/null || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || pkgs+=(maven)
  echo "installing: ${pkgs[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null \
    || fail "cannot install ${pkgs[*]}"
fi

# 1. The cdylib and the generator, debug. `--workspace` like the rust stage, so nothing is rebuilt
#    after `cargo test --workspace` (TOOLCHAIN pitfall 3); never a release build of the bindgen.
cargo build --workspace --locked || fail "cargo build failed"
[ -f "$LIBDIR/libportail_uniffi.so" ] || fail "no $LIBDIR/libportail_uniffi.so"

# 2. Generate the Kotlin (library mode: reads bindings-kotlin/uniffi.toml). Never edited by hand.
rm -rf "$GEN"
"$LIBDIR/uniffi-bindgen" generate "$LIBDIR/libportail_uniffi.so" \
  --language kotlin --out-dir "$GEN" --no-format || fail "uniffi-bindgen failed"

# 3. Compile and test with Maven.
rc=0
mvn -B -ntp -Dstyle.color=never -f bindings-kotlin/pom.xml -Duniffi.libdir="$LIBDIR" test 2>&1 | tee "$LOG/mvn.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1

# Surefire's final summary: "Tests run: N, Failures: F, Errors: E, Skipped: S" (the line without
# " -- in <class>").
summary=$(grep -E 'Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$LOG/mvn.txt" | tail -n 1)
if [ -n "$summary" ]; then
  run=$(echo "$summary" | sed -E 's/.*Tests run: ([0-9]+).*/\1/')
  failures=$(echo "$summary" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
  errors=$(echo "$summary" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
  skipped=$(echo "$summary" | sed -E 's/.*Skipped: ([0-9]+).*/\1/')
  failed=$((failures + errors))
  passed=$((run - failed - skipped))
else
  passed=0
  failed=1
  rc=1
fi

# 4. The seed-000 example, on the embedded default in a fresh temporary folder.
if [ "$rc" -eq 0 ]; then
  mvn -B -ntp -q -Dstyle.color=never -f bindings-kotlin/pom.xml -Duniffi.libdir="$LIBDIR" exec:exec@demo 2>&1 | tee "$LOG/demo.txt"
  if [ "${PIPESTATUS[0]}" -ne 0 ] || ! grep -q "client 4 logged in and sees: FA-0002.pdf" "$LOG/demo.txt"; then
    echo "kotlin stage: the example failed" >&2
    rc=1
  fi
  rm -rf "$(sed -nE 's/^data in (.*) \(portail.*/\1/p' "$LOG/demo.txt")"
fi

# On a line of its own: Maven may leave a colour reset without a newline behind it.
echo
echo "STAGE_RESULT $passed $failed"
exit $rc
