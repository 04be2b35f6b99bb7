#!/bin/sh
# Installs the peers the benchmarks compare Fleetdesk with, if they are missing:
# mosquitto (bench-mqtt, bench-mqtt-idle), nginx-light (bench-ingest), sqlite3 (bench-device-search).
# The benchmarks start the peers themselves, on free loopback ports with configuration files in
# temporary directories; the packages' own services are not needed (and are stopped here when
# the installation started them, so they hold no well-known port meanwhile).
set -eu

PACKAGES="mosquitto nginx-light sqlite3"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && { echo "bench peers installed:$PACKAGES"; exit 0; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: need root or sudo to install:$missing" >&2; exit 1
  fi
fi
echo "==> Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
for service in mosquitto nginx; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    $SUDO systemctl stop "$service" || true
  fi
done
