#!/usr/bin/env bash
# Starts the FerretDB test server (MongoDB wire protocol on SQLite) in the
# background, unless it is already answering. Idempotent.
#
# Environment:
#   FERRETDB_ADDR       listen address (default 127.0.0.1:27018)
#   FERRETDB_STATE_DIR  pid file, log and data (default /tmp/aos-ferretdb)
#   FERRETDB_BIN        binary (default <repo>/bin/ferretdb, built if missing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
addr="${FERRETDB_ADDR:-127.0.0.1:27018}"
state="${FERRETDB_STATE_DIR:-/tmp/aos-ferretdb}"
bin="${FERRETDB_BIN:-$repo/bin/ferretdb}"
host="${addr%:*}"
port="${addr##*:}"

answers() {
	(exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

if answers; then
	echo "ferretdb: already answering on $addr"
	exit 0
fi

if [ ! -x "$bin" ]; then
	echo "ferretdb: building $bin"
	mkdir -p "$(dirname "$bin")"
	(cd "$here" && go build -o "$bin" .)
fi

mkdir -p "$state/data"
pidfile="$state/ferretdb.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	echo "ferretdb: process $(cat "$pidfile") is running but $addr does not answer yet"
else
	nohup "$bin" -listen "$addr" -state-dir "$state/data" >>"$state/ferretdb.log" 2>&1 &
	echo $! >"$pidfile"
fi

for _ in $(seq 1 100); do
	if answers; then
		echo "ferretdb: answering on $addr (pid $(cat "$pidfile"), log $state/ferretdb.log)"
		exit 0
	fi
	if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		echo "ferretdb: exited during start; last log lines:" >&2
		tail -n 20 "$state/ferretdb.log" >&2 || true
		exit 1
	fi
	sleep 0.2
done
echo "ferretdb: $addr did not answer within 20s; see $state/ferretdb.log" >&2
exit 1
