#!/usr/bin/env bash
# Format (or with --check, verify the formatting of) every C source we own.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^build' || true)
[ ${#files[@]} -eq 0 ] && exit 0
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror "${files[@]}"
  echo "format-check: ${#files[@]} files formatted correctly"
else
  clang-format -i "${files[@]}"
fi
