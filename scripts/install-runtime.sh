#!/usr/bin/env bash
# Installs the Debian packages Sidereal's agents and commands use at run time.
# One script for the container image (Dockerfile) and for CI (.ci/run), so that
# what the tests run against is what the image ships.
#
# usage: scripts/install-runtime.sh [--ci] [--print] [--simulate]
#   --ci        also install what the test suite needs (chromium for UI tests)
#   --print     print the package list and exit (installs nothing)
#   --simulate  resolve the packages with `apt-get install --simulate` (no changes)
#
# environment:
#   ASTROMETRY_INDEXES  which astrometry.net Tycho-2 index packages to install,
#                       by the smallest field of view they solve:
#                         none    no index files (the solver still runs on
#                                 catalogs you add yourself)
#                         small   10-19   fields ≳ 1°       ~37 MB installed
#                         medium  09..19  fields ≳ 44′      ~77 MB
#                         large   08..19  fields ≳ 30′     ~154 MB
#                         full    07..19  fields ≳ 22′     ~291 MB (default)
#   CLEAN_APT_LISTS=1   remove /var/lib/apt/lists afterwards (the Dockerfile
#                       sets it to keep the image small; never on a host)
#
# Debian 12 (bookworm) or newer; needs root. Idempotent: installs only what
# is missing, and does nothing (no `apt-get update`) when all is there.
set -euo pipefail

ci=0 print=0 simulate=0
for arg in "$@"; do
  case "$arg" in
    --ci) ci=1 ;;
    --print) print=1 ;;
    --simulate) simulate=1 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "install-runtime.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

indexes="${ASTROMETRY_INDEXES:-full}"
index_packages=()
case "$indexes" in
  none) ;;
  small) index_packages=(astrometry-data-tycho2-10-19-littleendian) ;;
  medium) index_packages=(astrometry-data-tycho2-09-littleendian astrometry-data-tycho2-10-19-littleendian) ;;
  large) index_packages=(astrometry-data-tycho2-08-littleendian astrometry-data-tycho2-09-littleendian astrometry-data-tycho2-10-19-littleendian) ;;
  full) index_packages=(astrometry-data-tycho2-07-littleendian astrometry-data-tycho2-08-littleendian astrometry-data-tycho2-09-littleendian astrometry-data-tycho2-10-19-littleendian) ;;
  *) echo "install-runtime.sh: ASTROMETRY_INDEXES must be none, small, medium, large or full (got \"$indexes\")" >&2; exit 2 ;;
esac

packages=(
  ca-certificates     # HTTPS to S3 and Wikipedia
  tini                # PID 1 in the container: forwards signals, reaps solve-field children
  postgresql-client   # pg_dump / pg_restore for `sidereal backup` and `sidereal restore`
  astrometry.net      # solve-field (agents/platesolve/solveField.ts)
  "${index_packages[@]}"
)
if [ "$ci" = 1 ]; then
  packages+=(chromium)  # browser tests (playwright-core drives /usr/bin/chromium)
fi

if [ "$print" = 1 ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-runtime.sh: run as root (apt-get)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-runtime.sh: all ${#packages[@]} packages are installed (indexes: $indexes)"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# apt passes a temporary file to gpgv as its unprivileged _apt user, so TMPDIR
# must be world-writable; some minimal machines have a /tmp that is not
if [ "$(stat -c %a /tmp 2>/dev/null)" != 1777 ] && [ -z "${TMPDIR:-}" ]; then export TMPDIR=/var/tmp; fi
updated=0
if [ "$simulate" = 1 ]; then
  # resolve names and dependencies only; needs package lists
  [ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial || true)" ] || apt-get update -qq
  apt-get install --simulate --no-install-recommends "${missing[@]}" | grep -E '^(Inst|Conf) ' | wc -l | xargs echo "install-runtime.sh: would install/configure (packages, incl. dependencies):"
  exit 0
fi

echo "install-runtime.sh: installing ${missing[*]} (indexes: $indexes)"
apt-get update -qq
updated=1
# --no-install-recommends keeps the image small (astrometry.net recommends a
# Python plotting stack that solve-field does not need for solving)
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
apt-get clean

# Check that what the agents call is really there.
for bin in solve-field pg_dump pg_restore tini; do
  command -v "$bin" >/dev/null || { echo "install-runtime.sh: $bin missing after install" >&2; exit 1; }
done
if [ "$ci" = 1 ]; then command -v chromium >/dev/null || { echo "install-runtime.sh: chromium missing" >&2; exit 1; }; fi
if [ ${#index_packages[@]} -gt 0 ] && ! ls /usr/share/astrometry/index-tycho2-*.fits >/dev/null 2>&1; then
  echo "install-runtime.sh: no index files under /usr/share/astrometry" >&2
  exit 1
fi

if [ "$updated" = 1 ] && [ "${CLEAN_APT_LISTS:-0}" = 1 ]; then
  rm -rf /var/lib/apt/lists/*
fi
echo "install-runtime.sh: done"
