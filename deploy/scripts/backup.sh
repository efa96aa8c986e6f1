#!/bin/sh
# Backs up the platform database (mana) and Synapse's (synapse) with pg_dump, plus Synapse's signing key
# and media when its data folder is mounted; deletes backups older than the retention.
#
#   docker compose -f deploy/compose.yaml --profile tools run --rm backup     (writes to deploy/backups/)
#   PGHOST=db.internal PGUSER=postgres PGPASSWORD=… BACKUP_DIR=/var/backups/mana deploy/scripts/backup.sh
#
# Environment:
#   PGHOST, PGPORT, PGUSER, PGPASSWORD   libpq connection (a superuser, for the roles dump)
#   BACKUP_DIR                           target folder (default ./backups)
#   BACKUP_DATABASES                     default "mana synapse"
#   BACKUP_RETENTION_DAYS                delete our files older than this many days (default 14; 0 = keep)
#   SYNAPSE_DATA_DIR                     Synapse's /data (compose mounts it read-only); skipped if absent
#   BACKUP_SYNAPSE_MEDIA                 include media_store in the Synapse archive (default true)
#
# Files (UTC timestamp, one set per run):
#   <db>-YYYYmmddTHHMMSSZ.dump            pg_dump custom format (pg_restore), one per database
#   globals-YYYYmmddTHHMMSSZ.sql          roles and their password hashes (pg_dumpall --globals-only)
#   synapse-data-YYYYmmddTHHMMSSZ.tar.gz  signing key (+ media): without the key, federation identity is lost
#
# Restore (details in deploy/README.md, "Backups"): stop the services, then
#   psql -f globals-….sql                                          (fresh server only; roles exist otherwise)
#   pg_restore --clean --if-exists --no-owner --role=mana    -d mana    mana-….dump
#   pg_restore --clean --if-exists --no-owner --role=synapse -d synapse synapse-….dump
# The synapse database must have been created with LC_COLLATE/LC_CTYPE 'C' (postgres/init does that).
set -eu

dir=${BACKUP_DIR:-./backups}
databases=${BACKUP_DATABASES:-mana synapse}
retention=${BACKUP_RETENTION_DAYS:-14}
synapse_data=${SYNAPSE_DATA_DIR:-}
media=${BACKUP_SYNAPSE_MEDIA:-true}
stamp=$(date -u +%Y%m%dT%H%M%SZ)

log() { printf '[backup %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

mkdir -p "$dir"
umask 077

for db in $databases; do
  file="$dir/$db-$stamp.dump"
  log "pg_dump $db → $file"
  pg_dump --format=custom --compress=6 --dbname="$db" --file="$file.partial"
  # A dump that pg_restore cannot list is no backup.
  pg_restore --list "$file.partial" >/dev/null
  mv "$file.partial" "$file"
  log "  $(du -h "$file" | cut -f1)"
done

log "pg_dumpall --globals-only → $dir/globals-$stamp.sql"
pg_dumpall --globals-only --file="$dir/globals-$stamp.sql.partial"
mv "$dir/globals-$stamp.sql.partial" "$dir/globals-$stamp.sql"

if [ -n "$synapse_data" ] && [ -d "$synapse_data" ]; then
  archive="$dir/synapse-data-$stamp.tar.gz"
  set -- signing.key
  [ "$media" = true ] && [ -d "$synapse_data/media_store" ] && set -- "$@" media_store
  existing=""
  for f in "$@"; do [ -e "$synapse_data/$f" ] && existing="$existing $f"; done
  if [ -n "$existing" ]; then
    log "Synapse data ($existing) → $archive"
    # shellcheck disable=SC2086 # word splitting of the file list is intended
    tar -czf "$archive.partial" -C "$synapse_data" $existing
    mv "$archive.partial" "$archive"
  else
    log "no signing key or media in $synapse_data yet; skipped"
  fi
fi

if [ "$retention" -gt 0 ]; then
  log "deleting backups older than $retention days"
  find "$dir" -maxdepth 1 -type f \
    \( -name '*-????????T??????Z.dump' -o -name 'globals-????????T??????Z.sql' -o -name 'synapse-data-????????T??????Z.tar.gz' \) \
    -mtime +"$retention" -print -exec rm -f {} +
fi
log finished
