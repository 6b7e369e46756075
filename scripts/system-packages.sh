#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a feature needs, when this user can;
# otherwise prints the exact command to run and fails.
#   scripts/system-packages.sh mysql     pkg-config + MariaDB client headers (to build mysqlclient)
#   scripts/system-packages.sh browser   Debian's chromium (browser tests)
#   scripts/system-packages.sh gettext   msgfmt (to compile translations)
#   scripts/system-packages.sh mariadb   the MariaDB server (the test run starts its own throwaway one)
#   scripts/system-packages.sh clamav    ClamAV's daemon, clamd (the test run starts its own, with a
#                                        one-signature database; freshclam is set to never run)
#   scripts/system-packages.sh redis     the Redis server (the test run starts its own, for the task queue's Redis backend)
#   scripts/system-packages.sh venv      python3-venv (to create the virtualenv)
#   scripts/system-packages.sh wrk       the wrk HTTP load generator (bench/http_benchmark.py)
set -euo pipefail

packages=()
for feature in "$@"; do
  case "$feature" in
    mysql)
      if ! { command -v pkg-config >/dev/null && { pkg-config --exists mariadb || pkg-config --exists mysqlclient; }; }; then
        packages+=(pkg-config libmariadb-dev)
      fi ;;
    browser) command -v chromium >/dev/null || packages+=(chromium) ;;
    gettext) command -v msgfmt >/dev/null || packages+=(gettext) ;;
    mariadb) { [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null; } || packages+=(mariadb-server) ;;
    clamav) { [ -x /usr/sbin/clamd ] || command -v clamd >/dev/null; } || packages+=(clamav-daemon) ;;
    redis) { [ -x /usr/bin/redis-server ] || command -v redis-server >/dev/null; } || packages+=(redis-server) ;;
    venv) packages+=(python3-venv) ;;
    wrk) command -v wrk >/dev/null || packages+=(wrk) ;;
    *) echo "unknown feature: $feature" >&2; exit 2 ;;
  esac
done
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Please install the equivalents of: ${packages[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "Missing system packages. Run:  sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
if [[ " ${packages[*]} " == *" clamav-daemon "* ]]; then
  # clamav-daemon pulls in clamav-freshclam: answer its question "manual", so
  # no signature-download service is set up. The tests bring their own
  # signature; a production clamd gets its databases its own way (docs/storage-and-scanning.md).
  echo "clamav-freshclam clamav-freshclam/autoupdate_freshclam select manual" | "${run[@]}" debconf-set-selections
fi
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
