#!/bin/sh
# One-shot before auth starts: production auth refuses to start without an Ed25519 signing key
# (MissingKeysError). Create the first one if there is none; never rotate an existing one here
# (rotation is an operator decision: `node auth/src/cli.ts keys rotate`, see deploy/README.md).
set -eu
cd /app
keys=$(node auth/src/cli.ts keys list)
if printf '%s\n' "$keys" | grep -qwE 'active|published|retiring'; then
  printf 'auth signing keys present:\n%s\n' "$keys"
else
  node auth/src/cli.ts keys rotate --overlap-seconds 0
fi
