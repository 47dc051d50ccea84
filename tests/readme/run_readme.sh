#!/usr/bin/env bash
# Runs every shell block of README.md, as written and top to bottom, in one
# bash process (as a user pasting them into one terminal would), inside a
# copy of the source tree so that its builds never touch the tree under test.
#
#   tests/readme/run_readme.sh SOURCE_DIR [SCRATCH_DIR]
#
# The only substitutions, both through variables the README documents:
#   LF_PORT     a free UDP port (blocks write ${LF_PORT:-1337})
#   the folder  the copy of the tree in SCRATCH_DIR (default: a new temp dir)
# LF_README_NESTED=1 tells scripts/test.sh, when a block runs it, to leave
# out this test (label "readme") so that it does not run itself.
set -euo pipefail
src=$(cd "$1" && pwd)
scratch=${2:-$(mktemp -d /tmp/lf-readme.XXXXXX)}
mkdir -p "$scratch"
copy="$scratch/leapfrog"
rm -rf "$copy"
mkdir -p "$copy"

# The tree as a fresh clone would have it, plus uncommitted work: tracked and
# untracked-but-not-ignored files that exist.
(cd "$src" && git ls-files -co --exclude-standard -z |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xf - -C "$copy"
(cd "$copy" && git init -q && git add -A && git -c user.name=readme -c user.email=readme@test commit -qm copy)

# A free UDP port: bind port 0, read what the kernel gave, release it.
LF_PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export LF_PORT LF_README_NESTED=1

script="$scratch/readme-blocks.sh"
{
  echo 'set -euo pipefail'
  awk '
    /^```(sh|bash|shell)[[:space:]]*$/ { inblk = 1; n++; printf "echo \"=== README block %d (line %d)\"\n", n, NR; next }
    /^```/ && inblk { inblk = 0; next }
    inblk { print }
  ' "$copy/README.md"
} >"$script"
blocks=$(grep -c '^echo "=== README block' "$script" || true)
echo "readme: $blocks shell blocks, run in $copy with LF_PORT=$LF_PORT"
[ "$blocks" -gt 0 ] || { echo "readme: no shell block found"; exit 1; }

cd "$copy"
if bash -x "$script"; then
  echo "readme: all $blocks blocks ran"
  rm -rf "$scratch"
else
  rc=$?
  echo "readme: a block failed (exit $rc); the copy is kept in $copy"
  exit 1
fi
