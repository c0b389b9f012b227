#!/usr/bin/env bash
# Makes sure the services the test suite needs are installed, running and
# answering: PostgreSQL on 127.0.0.1:5432 (trust auth for user root) and
# Redis on 127.0.0.1:6379, a PostgreSQL cluster with wal_level=logical on
# 127.0.0.1:5433 for the change-data-capture tests, plus the MongoDB-wire test server when its start
# script exists. Idempotent: running it again changes nothing.
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # name, tries, command...
  local name=$1 tries=$2; shift 2
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$name did not become ready"; return 1
}

# --- PostgreSQL ---------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  apt_install postgresql postgresql-client
  fresh_pg=1
else
  fresh_pg=0
fi
pg_version=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  log "starting PostgreSQL $pg_version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || true
fi
wait_for PostgreSQL 60 pg_isready -h 127.0.0.1 -p 5432 -q
if ! psql "postgres://root@127.0.0.1:5432/postgres?sslmode=disable" -Atqc 'select 1' >/dev/null 2>&1; then
  # A freshly installed cluster: let local test connections in as root.
  log "configuring PostgreSQL for local test connections (fresh=$fresh_pg)"
  hba=/etc/postgresql/$pg_version/main/pg_hba.conf
  if ! grep -q '# aos-test-trust' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust # aos-test-trust\nhost all all ::1/128 trust # aos-test-trust\nlocal all all trust # aos-test-trust' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload
  as_root su postgres -c "psql -Atqc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='root') THEN CREATE ROLE root SUPERUSER LOGIN; END IF; END\\\$\\\$\"" 
  wait_for "PostgreSQL (root login)" 20 psql "postgres://root@127.0.0.1:5432/postgres?sslmode=disable" -Atqc 'select 1'
fi
log "PostgreSQL ready"

# --- PostgreSQL with wal_level=logical for the CDC tests (port 5433) ---------
# A dedicated cluster "cdc", so the shared 5432 server's configuration is
# untouched. Trust auth for local connections; root is a superuser (logical
# replication needs REPLICATION, which superusers have).
cdc_port=5433
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$pg_version cdc"; then
  log "creating PostgreSQL cluster $pg_version/cdc on port $cdc_port"
  as_root pg_createcluster "$pg_version" cdc --port "$cdc_port" \
    -- --auth-local=trust --auth-host=trust >/dev/null
fi
cdc_conf=/etc/postgresql/$pg_version/cdc
if ! grep -q '# aos-cdc' "$cdc_conf/postgresql.conf"; then
  printf '%s\n' "wal_level = logical # aos-cdc" "max_replication_slots = 20 # aos-cdc" \
    "max_wal_senders = 20 # aos-cdc" "max_connections = 60 # aos-cdc" \
    "listen_addresses = '127.0.0.1' # aos-cdc" | as_root tee -a "$cdc_conf/postgresql.conf" >/dev/null
fi
if ! grep -q '# aos-test-trust' "$cdc_conf/pg_hba.conf"; then
  as_root sed -i '1i host all all 127.0.0.1/32 trust # aos-test-trust\nhost replication all 127.0.0.1/32 trust # aos-test-trust\nlocal all all trust # aos-test-trust' "$cdc_conf/pg_hba.conf"
fi
if ! pg_isready -h 127.0.0.1 -p "$cdc_port" -q; then
  log "starting PostgreSQL $pg_version/cdc"
  as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" cdc start || true
fi
wait_for "PostgreSQL cdc" 60 pg_isready -h 127.0.0.1 -p "$cdc_port" -q
if ! psql "postgres://root@127.0.0.1:$cdc_port/postgres?sslmode=disable" -Atqc 'select 1' >/dev/null 2>&1; then
  as_root su postgres -c "psql -p $cdc_port -Atqc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='root') THEN CREATE ROLE root SUPERUSER LOGIN; END IF; END\\\$\\\$\""
  wait_for "PostgreSQL cdc (root login)" 20 psql "postgres://root@127.0.0.1:$cdc_port/postgres?sslmode=disable" -Atqc 'select 1'
fi
log "PostgreSQL cdc (wal_level=logical, port $cdc_port) ready"

# --- Redis --------------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis 60 redis-cli -h 127.0.0.1 -p 6379 ping
log "Redis ready"

# --- MongoDB-wire test server (FerretDB on SQLite) ----------------------------
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -x "$here/tools/ferretdb/start.sh" ]; then
  "$here/tools/ferretdb/start.sh"
  log "FerretDB ready"
fi
