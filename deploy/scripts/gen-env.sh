#!/bin/sh
# Writes deploy/.env from deploy/.env.example with every empty secret filled by `openssl rand -hex 32`.
# Domains, AUTH_SMTP_URL and AUTH_MAIL_FROM still need your values afterwards. Never overwrites.
#
#   deploy/scripts/gen-env.sh [target]      (default: deploy/.env)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-$here/.env}
if [ -e "$target" ]; then
  printf '%s exists; not overwriting\n' "$target" >&2
  exit 1
fi
umask 077
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    AUTH_SMTP_URL=) printf '%s\n' "$line" ;;
    [A-Z]*=) printf '%s%s\n' "$line" "$(openssl rand -hex 32)" ;;
    *) printf '%s\n' "$line" ;;
  esac
done <"$here/.env.example" >"$target"
printf 'wrote %s (mode 600): now set the MANA_* domains, AUTH_SMTP_URL and AUTH_MAIL_FROM\n' "$target"
