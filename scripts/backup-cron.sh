#!/usr/bin/env bash
# Nightly database backup for cron: runs `sidereal backup` (a pg_dump in custom
# format into SIDEREAL_BACKUP_DIR, keeping the newest SIDEREAL_BACKUP_KEEP), one
# run at a time, with time-stamped output. See docs/backups.md.
#
# crontab -e:
#   # Docker Compose install, from the folder with docker-compose.yml:
#   30 3 * * *  SIDEREAL_COMPOSE_DIR=/opt/sidereal /opt/sidereal/scripts/backup-cron.sh >> /var/log/sidereal-backup.log 2>&1
#   # bare Node install (reads /opt/sidereal/.env like the daemon):
#   30 3 * * *  cd /opt/sidereal && scripts/backup-cron.sh >> /var/log/sidereal-backup.log 2>&1
#
# environment:
#   SIDEREAL_COMPOSE_DIR   run inside the Compose service `sidereal` (docker compose
#                          exec) from this folder; the dumps land in its /backups volume
#   SIDEREAL_COMPOSE_SERVICE  service name (default sidereal)
#   SIDEREAL_BIN           the sidereal command for a bare install (default: `sidereal`
#                          on the PATH, else bin/sidereal.mjs next to this script)
#   SIDEREAL_BACKUP_AFTER  a command run after a good backup, e.g. copying the
#                          folder off the machine: "rclone sync /srv/backups remote:sidereal"
# Any further arguments are passed to `sidereal backup` (e.g. --keep 30).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }
say() { printf '%s %s\n' "$(stamp)" "$*"; }

lock="${SIDEREAL_BACKUP_LOCK:-${TMPDIR:-/tmp}/sidereal-backup.lock}"
exec 9>"$lock"
if ! flock -n 9; then
  say "another backup is still running ($lock): skipped"
  exit 1
fi

if [ -n "${SIDEREAL_COMPOSE_DIR:-}" ]; then
  cd "$SIDEREAL_COMPOSE_DIR"
  cmd=(docker compose exec -T "${SIDEREAL_COMPOSE_SERVICE:-sidereal}" sidereal backup "$@")
elif [ -n "${SIDEREAL_BIN:-}" ]; then
  cmd=("$SIDEREAL_BIN" backup "$@")
elif command -v sidereal >/dev/null 2>&1; then
  cmd=(sidereal backup "$@")
else
  cmd=(node "$here/../bin/sidereal.mjs" backup "$@")
fi

say "starting: ${cmd[*]}"
start=$(date +%s)
set +e
"${cmd[@]}" 2>&1 | while IFS= read -r line; do say "$line"; done
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  say "backup FAILED (exit $status)"
  exit "$status"
fi
say "backup finished in $(( $(date +%s) - start )) s"

if [ -n "${SIDEREAL_BACKUP_AFTER:-}" ]; then
  say "running SIDEREAL_BACKUP_AFTER"
  bash -c "$SIDEREAL_BACKUP_AFTER" 2>&1 | while IFS= read -r line; do say "$line"; done
  exit "${PIPESTATUS[0]}"
fi
