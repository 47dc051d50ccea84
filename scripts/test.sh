#!/usr/bin/env bash
# Runs every test Leapfrog has:
#   1. host build (-Wall -Wextra -Werror) and all CTest tests (unit, power-cut,
#      interop, fuzz-corpus replays)
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the portable core compiled for Cortex-M4 (-Os, freestanding) with its size
#   4. the clang-format check
#   5. the firmware under QEMU (preset qemu, docs/qemu.md): boot, updates,
#      serial recovery, power cuts on the emulated Cortex-M4
#   6. the nRF52840 DK firmware (presets nrf52840dk, nrf52840dk-qspi): every
#      image built, signed and packed, factory.hex, the size report
# Options: --quick (skip 2, 4, 5 and 6). Env: JOBS (default: nproc);
# LF_README_NESTED=1 (set by tests/readme/run_readme.sh when a README block
# runs this script) runs it as --quick and leaves out the README test itself:
# the run that started the README test does the rest, so nesting it again
# would only double CI's time.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
if [ "${LF_README_NESTED:-0}" = 1 ]; then
  QUICK=1
  echo "test.sh: run by the README test (LF_README_NESTED=1): host build and tests only"
fi
passed=0
failed=0

step() { printf '\n=== %s\n' "$*"; }

run_ctest() { # build-dir label
  local dir=$1 label=$2 out
  out=$(mktemp)
  set +e
  local skip=()
  [ "${LF_README_NESTED:-0}" = 1 ] && skip=(-LE readme)
  ctest --test-dir "$dir" --output-on-failure -j"$JOBS" "${skip[@]}" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  set -e
  # The power-cut summary lines, gathered from every test's output.
  grep -h '^powercut ' "$dir/Testing/Temporary/LastTest.log" | sed "s/^/[$label] /" || true
  local total fails
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$out" | tail -1)
  fails=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$out" | tail -1)
  rm -f "$out"
  total=${total:-0}
  fails=${fails:-0}
  passed=$((passed + total - fails))
  failed=$((failed + fails))
  return "$rc"
}

status=0
step "host build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"
step "host tests"
run_ctest build host || status=1

if [ $QUICK -eq 0 ]; then
  step "AddressSanitizer + UndefinedBehaviorSanitizer build"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLF_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$JOBS"
  step "sanitizer tests"
  # Power-cut scenarios cut at every 3rd operation here and the OpenSSL
  # differential test runs 2,000 cases (every operation and 10,000+ cases in
  # the host run above): the sanitizers make each ~10x slower.
  LF_PC_STRIDE=${LF_PC_STRIDE:-3} LF_DIFF_ITERATIONS=${LF_DIFF_ITERATIONS:-2000} ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_ctest build-asan asan || status=1
fi

step "Cortex-M4 build of core/ (arm-none-eabi-gcc -Os, freestanding)"
cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake >/dev/null
cmake --build build-arm -j"$JOBS"
arm-none-eabi-size -t build-arm/core/liblf_core.a | awk 'NR==1 || /TOTALS/ || $1+0 > 0'

if [ $QUICK -eq 0 ]; then
  step "firmware under QEMU (mps2-an386): boot, updates over the UART, recovery, power cuts"
  cmake --preset qemu >/dev/null
  cmake --build --preset qemu -j"$JOBS"
  run_ctest build-qemu qemu || status=1
fi

if [ $QUICK -eq 0 ]; then
  step "nRF52840 firmware build (presets nrf52840dk, nrf52840dk-qspi; docs/nrf52840.md)"
  # Every image of both boards: stage 0, stage 1 for S0 and S1 (signed and
  # packed), the application, the provision page and factory.hex; then the
  # size report, which fails on a limit: stage 1 keeps 4 KiB of its slot,
  # RAM <= 16 KiB. Stage 0 is still over its 8 KiB: until it fits, CI holds
  # it at its size today (the ceiling), so that it can only shrink.
  for preset in nrf52840dk nrf52840dk-qspi; do
    if ! { cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" --target nrf_images -j"$JOBS"; }; then
      echo "nRF52840 firmware build failed: preset $preset"
      status=1
    fi
  done
  bench/size/fw_sizes.sh --check --stage0-ceiling 10600 || status=1
fi

if [ $QUICK -eq 0 ]; then
  step "format check"
  scripts/format.sh --check || status=1
fi

echo
echo "tests: $passed passed, $failed failed"
exit $status
