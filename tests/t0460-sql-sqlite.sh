#!/bin/sh
# t0460-sql-sqlite - a [type] with database = sqlite:FILE through the real
# daemon: every storage class and declared type in JSON and CSV against
# tests/golden/sql-sqlite.{json,csv} (NULLs, non-ASCII, a blob as base64);
# an empty result as CSV is its header row (JSON: []), a lone column's
# quoting, the CSV xspool-sql writes itself is what the JSON Lines
# converted would be; a parameter holding SQL is data; the connection is
# read-only and one
# statement only; a missing file is a retryable error; the type's timeout
# stops a runaway query; typed params refuse a missing, unknown or
# ill-typed parameter at submission over the CLI (exit 2), REST (400) and
# a dropped file (bad/ with a .why), each naming the parameter; a
# 1-million-row export keeps a flat RSS.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"
. "$TOP/tests/daemon-lib.sh"
G=$TOP/tests/golden

if [ ! -x "$BIN/xspool-sql" ]; then
	echo "1..0 # SKIP no $BIN/xspool-sql (libpq or libsqlite3 missing)"
	exit 0
fi
if ! command -v sqlite3 > /dev/null; then
	echo "1..0 # SKIP no sqlite3"
	exit 0
fi
cd "$T" || exit 1

DB=$T/every.db
sqlite3 "$DB" <<'SQL'
CREATE TABLE every (id INTEGER PRIMARY KEY, name TEXT, amount NUMERIC,
    price REAL, paid BOOLEAN, born DATE, seen TIMESTAMP, data BLOB,
    note TEXT, big INTEGER);
INSERT INTO every VALUES
 (1, 'Zoë Ødegård 日本', '12.50', 0.1, 1, '1980-02-29',
  '2026-01-02 10:11:12', x'48656c6c6f', 'a "quoted", comma', 9223372036854775807),
 (2, '''; DROP TABLE every; --', NULL, 1e300, 0, NULL, NULL, x'00ff',
  'line
break', -9223372036854775808),
 (3, NULL, 7, -2.5, NULL, '2026-12-31', '2026-12-31T23:59:59Z', NULL, '', 0);
SQL

{
	cat <<CONF
[type Every]
database = sqlite:$DB
query = SELECT id, name, amount, price, paid, born, seen, data, note, big, id * 2 AS twice FROM every WHERE id >= :min AND (:name IS NULL OR name = :name) ORDER BY id
params = min:int, name?
formats = JSON,CSV

[type Lone]
database = sqlite:$DB
query = SELECT note FROM every WHERE id >= :min ORDER BY id
params = min:int

[type Typed]
command = $TOP/etc/exporters/patients
emits = csv
params = from:date, to:date?, clinic:int?, vip:bool?, at:timestamp?, rate:number?

[type Write]
database = sqlite:$DB
query = DELETE FROM every

[type Two]
database = sqlite:$DB
query = SELECT 1 AS one; DELETE FROM every

[type Gone]
database = sqlite:$T/no-such.db
query = SELECT 1 AS one

[type Forever]
database = sqlite:$DB
query = WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c
timeout = 1s

[type Million]
database = sqlite:$DB
query = WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) SELECT x AS id, 'patient ' || x AS name, x * 0.25 AS amount, x % 2 = 0 AS even FROM c
params = n:int
CONF
} | types max_attempts=2
X="xspool -c $CONF"
daemon d

# run TYPE FORMAT [-P ...] : submit, wait for completed, unzip into out.EXT
run() {
	_ty=$1 _f=$2
	shift 2
	_id=$($X submit "$_ty" -f "$_f" "$@") || return 1
	wait_for 30 is_in "$_id" completed || return 1
	_e=$(echo "$_f" | tr A-Z a-z)
	_runs=$((${_runs:-0} + 1))
	7z x -so "$SPOOL/out/$_id.zip" "$_ty.$_e" < /dev/null > "out.$_e" 2>/dev/null
	cp "out.$_e" "run$_runs.$_e"	# kept with KEEP=1
}

ok "every column type as JSON" run Every JSON -P min=0
ok "  is the golden JSON" diff -u "$G/sql-sqlite.json" out.json
ok "every column type as CSV" run Every CSV -P min=0
ok "  is the golden CSV" diff -u "$G/sql-sqlite.csv" out.csv

# no row: the columns are known from the prepared statement
ok "an empty result as CSV" run Every CSV -P min=99
is "$(od -An -c out.csv | tr -s ' ')" \
    "$(head -n 1 "$G/sql-sqlite.csv" | od -An -c | tr -s ' ')" \
    "  is the header row alone"
ok "an empty result as JSON" run Every JSON -P min=99
is "$(cat out.json)" "[]" "  is []"
ok "one column as CSV" run Lone CSV -P min=0
is "$(od -An -c out.csv | tr -s ' ')" "$(printf 'note\r\n"a ""quoted"", comma"\r\n"line\nbreak"\r\n""\r\n' |
    od -An -c | tr -s ' ')" "  quoted where needed, the empty cell as \"\""
# CSV jobs read xspool-sql's own CSV: the same bytes as its JSON Lines
# through the converter
ok "xspool-sql's CSV" sh -c "XSPOOL_FORMAT=CSV XSPOOL_PARAM_min=0 \
    '$BIN/xspool-sql' -c '$CONF' -t Every > direct.csv"
ok "  is its JSON Lines converted to CSV" sh -c "XSPOOL_PARAM_min=0 \
    '$BIN/xspool-sql' -c '$CONF' -t Every |
    '$BIN/helpers/xconvert' jsonl CSV | cmp - direct.csv"
ok "  and the golden CSV" cmp "$G/sql-sqlite.csv" direct.csv

ok "a parameter holding SQL is bound as data" \
    run Every JSON -P min=0 -P "name='; DROP TABLE every; --"
is "$(jq -r '.[].id' out.json | tr '\n' ' ')" "2 " "  it matches its one row"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM every')" 3 "  the table is intact"

# failures: the job's errors say why
fails() {	# fails TYPE PATTERN : the job is cancelled, its errors match
	_id=$($X submit "$1" -f JSON) || return 1
	wait_for 30 is_in "$_id" cancelled || return 1
	field "$_id" '"\n".join(j["result"]["errors"])' > err.txt
	grep -q -- "$2" err.txt || { sed 's/^/# /' err.txt; return 1; }
}
ok "a writing query is refused (read-only)" fails Write "not read-only"
ok "two statements are refused" fails Two "one statement only"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM every')" 3 "  the table is intact"
ok "a missing database file: a retryable error" fails Gone \
    "cannot open the database.*retryable"
is "$(field "$_id" 'j["attempts"]')" 2 "  and it was retried (2 attempts)"
ok "a query past the type's timeout is stopped" fails Forever "timed out after 1s"
ok "  and its exporter is gone" wait_for 20 sh -c \
    "! pgrep -f '[x]spool-sql -c $CONF -t Forever' > /dev/null"

# typed params, refused at submission with the parameter named
cli_refuses() {	# cli_refuses PATTERN ARGS...
	_p=$1
	shift
	$X submit Typed "$@" > /dev/null 2> cli.err
	_rc=$?
	[ "$_rc" -eq 2 ] && grep -q -- "$_p" cli.err ||
	    { echo "# exit $_rc: $(cat cli.err)"; return 1; }
}
ok "CLI: a missing parameter, exit 2, named" \
    cli_refuses "missing parameter from (date)"
ok "CLI: an unknown parameter, exit 2, named" \
    cli_refuses "unknown parameter clinik" -P from=2026-01-01 -P clinik=3
ok "CLI: an ill-typed date, exit 2, named" \
    cli_refuses "parameter from: want a date" -P from=2026-02-30
ok "CLI: an ill-typed int, exit 2, named" \
    cli_refuses "parameter clinic: want an integer" -P from=2026-01-01 -P clinic=3x
ok "CLI: an ill-typed bool" \
    cli_refuses "parameter vip: want true or false" -P from=2026-01-01 -P vip=maybe
ok "CLI: an ill-typed timestamp" \
    cli_refuses "parameter at: want a timestamp" -P from=2026-01-01 -P at=2026-01-01T25:00
ok "CLI: an ill-typed number" \
    cli_refuses "parameter rate: want a number" -P from=2026-01-01 -P rate=1,5
ok "CLI: well-typed parameters are taken" $X submit Typed -P from=2026-01-01 \
    -P to=2026-02-01 -P clinic=-3 -P vip=true -P at=2026-01-01T10:00:00+02:00 \
    -P rate=12.5e-1

# the shim, on the same config
A=$(xspool -c "$CONF" key add erp)
hstart
rest() {	# rest QUERY PATTERN : 400 INVALID_PARAMETER naming it
	req POST "/api/v1/ExportRequest/Typed?format=JSON&$1" -H "X-Api-Key: $A"
	[ "$CODE $(jf .Code)" = "400 INVALID_PARAMETER" ] &&
	    jf .Message | grep -q -- "$2" ||
	    { echo "# $CODE $(cat "$T/body")"; return 1; }
}
ok "REST: missing -> 400 naming it" rest "" "missing parameter from"
ok "REST: unknown -> 400 naming it" rest "from=2026-01-01&clinik=1" \
    "unknown parameter clinik"
ok "REST: ill-typed -> 400 naming it" rest "from=yesterday" "parameter from"
req POST "/api/v1/ExportRequest/Typed?format=JSON&from=2026-01-01&clinic=7" \
    -H "X-Api-Key: $A"
is "$CODE" 200 "REST: well-typed -> 200"
stop httpd

# dropped files go to bad/ with the reason
drop d1 '{"type": "Typed", "params": {"to": "2026-01-01"}}'
drop d2 '{"type": "Typed", "params": {"from": "2026-01-01", "clinik": "1"}}'
drop d3 '{"type": "Typed", "params": {"from": "2026-01-01", "clinic": "x"}}'
for d in d1 d2 d3; do
	ok "drop $d goes to bad/" wait_for 20 test -e "$SPOOL/bad/$d.job"
done
ok "  d1.why names the missing one" grep -q "missing parameter from" "$SPOOL/bad/d1.job.why"
ok "  d2.why names the unknown one" grep -q "unknown parameter clinik" "$SPOOL/bad/d2.job.why"
ok "  d3.why names the ill-typed one" grep -q "parameter clinic: want an integer" "$SPOOL/bad/d3.job.why"

# flat memory: peak RSS of the exporter for 1,000 and 1,000,000 rows
rss() {	# rss N : peak RSS in KiB of xspool-sql exporting N rows
	# (under ASan a small quarantine: its default 256 MiB of freed
	# blocks would be counted as ours)
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=1 \
	    XSPOOL_PARAM_n=$1 /usr/bin/time -f %M -o rss.$1 \
	    "$BIN/xspool-sql" -c "$CONF" -t Million > rows.$1 || return 1
	cat rss.$1
}
r1=$(rss 1000)
r2=$(rss 1000000)
diag "xspool-sql peak RSS: 1,000 rows $r1 KiB, 1,000,000 rows $r2 KiB ($(stat -c %s rows.1000000) bytes)"
is "$(wc -l < rows.1000000)" 1000000 "1,000,000 rows streamed"
is "$(tail -n 1 rows.1000000)" '{"id":1000000,"name":"patient 1000000","amount":250000.0,"even":1}' \
    "  the last one typed"
ok "  peak RSS under 64 MiB" test "$r2" -lt 65536
ok "  and within 8 MiB of a 1,000-row export's" test $((r2 - r1)) -lt 8192
stop d
done_testing
