#!/bin/sh
# Starts Prometheus after writing the public host names (MANA_*_HOST) as file_sd targets for the `tls`
# job: Prometheus' configuration cannot read environment variables. Inside the stack the names resolve
# to Caddy (network aliases), so the probe sees exactly the certificates Caddy serves.
set -eu
out=/prometheus/tls-targets.yml
{
  echo '- targets:'
  for host in "$MANA_APP_HOST" "$MANA_AUTH_HOST" "$MANA_MATRIX_HOST"; do
    echo "    - '$host:443'"
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
exec /bin/prometheus "$@"
