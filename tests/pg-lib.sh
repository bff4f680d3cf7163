# pg-lib.sh - a real PostgreSQL server for a test, sourced after lib.sh:
# initdb in $T/pg, the server on a Unix socket in that directory only (no
# TCP), run as nobody when we are root (the server refuses root), stopped
# by its PID at exit.  Prints "1..0 # SKIP" and exits when it cannot.
#   pg_start           initdb and start; $PGDIR is the socket directory
#   $PSQL -d DB ...    psql as the superuser xspool_admin
#   pg_stop            fast shutdown, waits for it

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PGDIR=$T/pg
PSQL="psql -X -q -A -t -v ON_ERROR_STOP=1 -h $PGDIR -U xspool_admin"

pg_skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

# pg_hba: the user xspool_pw by password only, everyone else trusted
pg_start() {
	[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/postgres" ] ||
	    pg_skip "no PostgreSQL server (Debian package postgresql)"
	command -v psql > /dev/null || pg_skip "no psql"
	PGRUN=
	mkdir "$PGDIR"
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv > /dev/null || pg_skip "root without setpriv"
		PGRUN="setpriv --reuid=65534 --regid=65534 --clear-groups"
		chmod 755 "$T"
		chown 65534:65534 "$PGDIR"
		$PGRUN test -w "$PGDIR" ||
		    pg_skip "$T is out of reach of user nobody (TMPDIR=${TMPDIR:-})"
	fi
	if ! $PGRUN "$PGBIN/initdb" -D "$PGDIR/data" -U xspool_admin \
	    --auth=trust -E UTF8 --locale=C.UTF-8 -N > "$T/initdb.log" 2>&1; then
		sed 's/^/# /' "$T/initdb.log"
		echo "Bail out! initdb failed"
		exit 1
	fi
	printf '%s\n' 'local all xspool_pw scram-sha-256' \
	    'local all all trust' > "$PGDIR/data/pg_hba.conf"
	bg pg $PGRUN "$PGBIN/postgres" -D "$PGDIR/data" -k "$PGDIR" \
	    -c listen_addresses= -c fsync=off -c full_page_writes=off \
	    -c log_min_messages=warning -c log_min_error_statement=error
	if ! wait_for 60 $PSQL -d postgres -c 'SELECT 1'; then
		sed 's/^/# /' "$T/pg.err"
		echo "Bail out! the PostgreSQL server did not start"
		exit 1
	fi
	trap 'pg_stop; cleanup' EXIT
}

pg_stop() {
	_pg=$(pid_of pg)
	[ -n "$_pg" ] || return 0
	kill -INT "$_pg" 2>/dev/null && wait "$_pg" 2>/dev/null
	eval "PID_pg="
}
