#!/usr/bin/env bash
# Install the Debian packages Leapfrog needs that this machine lacks (apt;
# through sudo when not root). Used by .ci/run and scripts/demo.sh.
set -euo pipefail
packages=(cmake make gcc clang clang-format libcmocka-dev libssl-dev pkg-config
          gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi socat
          qemu-system-arm gdb-multiarch python3 srecord)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
