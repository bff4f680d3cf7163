#!/bin/sh
# bench-sql.sh [ROWS] - the SQL exporter on a ROWS-row table (default 10
# million) on PostgreSQL (a server started here, tests/pg-lib.sh) and
# SQLite: xspool-sql alone (typed JSON Lines), and piped through the
# daemon's converter to CSV and to JSON as an export does before the zip
# (CSV: xspool-sql writes CSV itself, XSPOOL_FORMAT=CSV, and the daemon
# reads it as CSV; JSON: its JSON Lines converted), side by side with psql
# \copy ... TO STDOUT CSV and sqlite3 -csv on the same rows.  Rows/s,
# MB/s of the output, peak RSS; a Markdown table.
ROWS=${1:-${ROWS:-10000000}}
. "$(dirname "$0")/../lib.sh"	# T, bg, wait_for (tests/lib.sh)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${XSPOOL_BIN:-$TOP/bin}
. "$TOP/tests/pg-lib.sh"
RUNS=${RUNS:-1}		# 10 million rows: about a minute a run
exec 3>&1 1>&2		# the table on the real stdout, the rest on stderr

[ -x "$BIN/xspool-sql" ] || { echo "no $BIN/xspool-sql" >&3; exit 1; }
pg_start
Q="SELECT g AS id, 'Pacient ' || g AS name, (g % 99991) / 100.0 AS amount, g % 3 = 0 AS paid, DATE '2026-01-01' + (g % 365)::int AS day FROM"
$PSQL -d postgres -c 'CREATE DATABASE bench'
$PSQL -d bench -c "CREATE TABLE t AS $Q generate_series(1, $ROWS) g" &&
    $PSQL -d bench -c 'VACUUM ANALYZE t' || exit 1
sqlite3 "$T/bench.db" "CREATE TABLE t (id INTEGER, name TEXT,
    amount NUMERIC, paid BOOLEAN, day DATE)" || exit 1
$PSQL -d bench -c "\\copy t TO '$T/t.csv' CSV" &&
    printf '.mode csv\n.import %s t\n' "$T/t.csv" | sqlite3 "$T/bench.db" || exit 1
rm -f "$T/t.csv"
SEL="SELECT id, name, amount, paid, day FROM t"
cat > "$T/b.conf" <<CONF
[spool]
dir = $T/spool
[http]
[notify]
[type PG]
database = postgresql:///bench?host=$PGDIR&user=xspool_admin
query = $SEL
timeout = 1h
[type Lite]
database = sqlite:$T/bench.db
query = $SEL
timeout = 1h
CONF
X="$BIN/xspool-sql -c $T/b.conf -t"
CV=$BIN/helpers/xconvert

# run NAME COMMAND : RUNS runs; "seconds KiB bytes cpu-seconds" per run
# in $T/NAME (CPU: user + system of the whole pipeline, which a machine
# shared with other work disturbs less than the wall clock)
run() {
	_n=$1
	shift
	: > "$T/$_n"
	for _i in $(seq "$RUNS"); do
		_a=$(date +%s.%N)
		/usr/bin/time -f '%M %U %S' -o "$T/rss" sh -c "$* | wc -c > '$T/bytes'" ||
		    echo "failed: $*"
		_b=$(date +%s.%N)
		echo "$(echo "$_b - $_a" | bc) $(tail -n 1 "$T/rss" | awk '{ print $1 }') $(cat "$T/bytes") $(tail -n 1 "$T/rss" | awk '{ print $2 + $3 }')" >> "$T/$_n"
	done
}
med() { awk -v c="$1" '{ print $c }' "$T/$2" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
row() {	# row NAME LABEL [BASELINE]
	_s=$(med 1 "$1")
	_r=$(awk -v n="$ROWS" -v s="$_s" 'BEGIN { printf "%.0f", n / s }')
	_m=$(awk -v b="$(med 3 "$1")" -v s="$_s" 'BEGIN { printf "%.1f", b / s / 1048576 }')
	_x=
	[ -n "${3:-}" ] && _x=$(awk -v a="$(med 1 "$3")" -v s="$_s" 'BEGIN { printf "%.2f", a / s }')
	printf '| %s | %.2f | %s | %s | %s | %s | %s |\n' "$2" "$_s" "$(med 4 "$1")" \
	    "$_r" "$_m" "$(med 2 "$1")" "$_x" >&3
}

run pgcopy "$PSQL -d bench -c \"\\copy ($SEL) TO STDOUT CSV\""
run pgjsonl "$X PG"
run pgcsv "XSPOOL_FORMAT=CSV $X PG | $CV csv CSV"
run pgjson "$X PG | $CV jsonl JSON"
run litecsv "sqlite3 -csv '$T/bench.db' '$SEL'"
run litejsonl "$X Lite"
run liteconv "XSPOOL_FORMAT=CSV $X Lite | $CV csv CSV"
run litejson "$X Lite | $CV jsonl JSON"

{
	echo "### SQL exporter: $ROWS rows (id, name, amount, paid, day), median of $RUNS"
	echo
	echo "| what | s | CPU s | rows/s | MB/s out | peak RSS KiB | × the peer (wall) |"
	echo "|---|---|---|---|---|---|---|"
} >&3
row pgcopy 'PostgreSQL: `psql \copy (SELECT ...) TO STDOUT CSV`'
row pgjsonl 'PostgreSQL: `xspool-sql` (typed JSON Lines)' pgcopy
row pgcsv 'PostgreSQL: `xspool-sql \| convert` to CSV' pgcopy
row pgjson 'PostgreSQL: `xspool-sql \| convert` to JSON (typed)' pgcopy
row litecsv 'SQLite: `sqlite3 -csv`'
row litejsonl 'SQLite: `xspool-sql` (typed JSON Lines)' litecsv
row liteconv 'SQLite: `xspool-sql \| convert` to CSV' litecsv
row litejson 'SQLite: `xspool-sql \| convert` to JSON (typed)' litecsv
pg_stop
