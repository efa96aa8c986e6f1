#!/usr/bin/env bash
# Creates (or reuses) the Python virtualenv that runs Synapse for tests, benchmarks and `npm start`.
#
#   scripts/synapse-venv.sh            # venv at .venv/synapse, Synapse pinned below
#   SYNAPSE_VENV=/opt/synapse scripts/synapse-venv.sh
#
# Idempotent: when the venv already has exactly the pinned version (recorded in a stamp file written
# only after a successful install) it prints one line and exits, so callers may run it every time.
set -euo pipefail

SYNAPSE_VERSION="${SYNAPSE_VERSION:-1.163.2}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SYNAPSE_VENV:-$ROOT/.venv/synapse}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.mana-synapse-version"
SPEC="matrix-synapse[oidc]==$SYNAPSE_VERSION"

log() { echo "[synapse-venv] $*"; }

# The stamp records the requirement string, not just the version, so adding an extra (e.g. [oidc])
# later forces a reinstall. The python check catches a venv whose base interpreter was removed.
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$SPEC" && -x "$VENV/bin/python" ]] \
  && "$VENV/bin/python" -c 'import synapse' >/dev/null 2>&1; then
  log "$SPEC already installed in $VENV"
  exit 0
fi

# Parallel test workers may all call this on a fresh machine: the first installs, the others wait
# here and then find the stamp. (flock is util-linux; without it we fall back to no locking.)
mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$VENV.lock"
  flock 9
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$SPEC" ]]; then
    log "$SPEC installed in $VENV by a concurrent run"
    exit 0
  fi
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  log "error: $PYTHON not found; install Python >= 3.10 (with the venv module) to run Synapse" >&2
  exit 127
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating virtualenv $VENV with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv "$VENV"
fi

log "installing $SPEC (first time takes a minute or two)"
started=$SECONDS
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SPEC"

# The distribution's version, not synapse.__version__: inside a git checkout (like this repo) Synapse
# appends the checkout's branch and commit to the latter.
installed="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))')"
if [[ "$installed" != "$SYNAPSE_VERSION" ]]; then
  log "error: expected Synapse $SYNAPSE_VERSION, found $installed" >&2
  exit 1
fi
echo "$SPEC" >"$STAMP"
log "installed Synapse $installed in $((SECONDS - started))s"
