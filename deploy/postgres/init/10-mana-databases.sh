#!/bin/sh
# Runs once, when the postgres container starts on an empty data volume (docker-entrypoint-initdb.d).
# Creates two owners and two databases:
#   mana     the platform's database (auth, sync and bots each keep their tables in their own schema)
#   synapse  Synapse's own database; Synapse refuses any collation but C (ENCODING UTF8, template0)
# Passwords come from MANA_DB_PASSWORD and SYNAPSE_DB_PASSWORD and reach SQL as psql variables
# (quoted by psql, never spliced into the SQL text).
set -eu
: "${MANA_DB_PASSWORD:?MANA_DB_PASSWORD is required}"
: "${SYNAPSE_DB_PASSWORD:?SYNAPSE_DB_PASSWORD is required}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v mana_password="$MANA_DB_PASSWORD" -v synapse_password="$SYNAPSE_DB_PASSWORD" <<'SQL'
CREATE ROLE mana LOGIN PASSWORD :'mana_password';
CREATE DATABASE mana OWNER mana ENCODING 'UTF8';
REVOKE ALL ON DATABASE mana FROM PUBLIC;

CREATE ROLE synapse LOGIN PASSWORD :'synapse_password';
CREATE DATABASE synapse OWNER synapse ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
REVOKE ALL ON DATABASE synapse FROM PUBLIC;
SQL

# Postgres 15+ no longer lets every role create objects in public; the owners need their own schemas.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname mana <<'SQL'
ALTER SCHEMA public OWNER TO mana;
SQL
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname synapse <<'SQL'
ALTER SCHEMA public OWNER TO synapse;
SQL
