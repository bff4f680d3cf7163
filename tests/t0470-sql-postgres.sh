#!/bin/sh
# t0470-sql-postgres - a [type] with database = postgresql://... against a
# real PostgreSQL server started here (tests/pg-lib.sh): every column type
# in JSON and CSV against tests/golden/sql-pg.{json,csv}; an empty result
# as CSV is its header row (JSON: []), and xspool-sql's own CSV is its
# JSON Lines converted; parameters bound
# by the server (SQL in a value is data); a read-only transaction; a query
# past the type's timeout is cancelled on the server, and so is one whose
# exporter gets SIGTERM (pg_stat_activity); a server that is down gives a
# retryable error; a password in the config (mode-checked) or a passfile
# is never in the logs, job files, errors, ps or the environment; a
# 1-million-row export keeps a flat RSS.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"
. "$TOP/tests/pg-lib.sh"
G=$TOP/tests/golden

[ -x "$BIN/xspool-sql" ] ||
    pg_skip "no $BIN/xspool-sql (libpq or libsqlite3 missing)"
cd "$T" || exit 1
pg_start
PW='Pw-t0470-s3cr3t'
$PSQL -d postgres -c 'CREATE DATABASE dental'
$PSQL -d dental <<SQL
CREATE ROLE xspool_pw LOGIN PASSWORD '$PW';
CREATE TABLE every (id int PRIMARY KEY, small smallint, big bigint,
    num numeric(30,10), f4 real, f8 double precision, flag boolean,
    txt text, vc varchar(20), ch char(3), d date, t time, ts timestamp,
    tz timestamptz, iv interval, bin bytea, j jsonb, u uuid, arr int[]);
INSERT INTO every VALUES
(1, 32767, 9223372036854775807, 12345678901234567890.0123456789, 1.5, 0.1,
 true, 'Zoë 日本 "q" \\ back, comma', 'x', 'ab', '2026-01-02', '10:11:12',
 '2026-01-02 10:11:12.5', '2026-01-02 10:11:12+02', '1 day 2 hours',
 '\\x48656c6c6f', '{"a":[1,2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
 '{1,2}'),
(2, NULL, NULL, NULL, 'NaN', '-Infinity', false, E'line\\nbreak', NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, -1, -9223372036854775808, -0.5, NULL, 1e300, NULL,
 '''; DROP TABLE every; --', '', '', 'infinity', NULL, '-infinity', NULL,
 NULL, '\\x', 'null', NULL, '{}');
CREATE TABLE locked (x int);
GRANT SELECT ON every, locked TO xspool_pw;
SQL
is "$?" 0 "the test database is made"
printf '*:*:dental:xspool_pw:%s\n' "$PW" > pgpass
chmod 600 pgpass

DBA="postgresql:///dental?host=$PGDIR&user=xspool_admin"
{
	cat <<CONF
[type Every]
database = $DBA
query = SELECT * FROM every WHERE id >= :min AND (:txt::text IS NULL OR txt = :txt) ORDER BY id
params = min:int, txt?

[type Write]
database = $DBA
query = DELETE FROM every RETURNING id

[type Sleepy]
database = $DBA
query = SELECT pg_sleep(600) AS xspool_t0470_sleepy
timeout = 2s

[type Held]
database = postgresql://xspool_pw:$PW@/dental?host=$PGDIR
query = SELECT count(*) AS xspool_t0470_held FROM locked
timeout = 10m

[type PwFile]
database = postgresql://xspool_pw@/dental?host=$PGDIR&passfile=$T/pgpass
query = SELECT id, txt FROM every WHERE id = :id
params = id:int

[type PwBad]
database = postgresql://xspool_pw:$PW@/dental?host=$PGDIR
query = SELECT * FROM no_such_table

[type Down]
database = postgresql:///dental?host=$T/nowhere&user=xspool_admin
query = SELECT 1 AS one

[type Million]
database = $DBA
query = SELECT g AS id, 'patient ' || g AS name, g * 0.25 AS amount, g % 2 = 0 AS even, DATE '2026-01-01' + (g % 365)::int AS day FROM generate_series(1, :n) g
params = n:int
CONF
} | types max_attempts=2
chmod 600 "$CONF"
X="xspool -c $CONF"
daemon d

run() {	# run TYPE FORMAT [-P ...] : completed, unzipped into out.EXT
	_ty=$1 _f=$2
	shift 2
	_id=$($X submit "$_ty" -f "$_f" "$@") || return 1
	wait_for 30 is_in "$_id" completed || return 1
	_e=$(echo "$_f" | tr A-Z a-z)
	_runs=$((${_runs:-0} + 1))
	7z x -so "$SPOOL/out/$_id.zip" "$_ty.$_e" < /dev/null > "out.$_e" 2>/dev/null
	cp "out.$_e" "run$_runs.$_e"	# kept with KEEP=1
}
fails() {	# fails TYPE PATTERN : cancelled, with errors matching PATTERN
	_id=$($X submit "$1" -f JSON) || return 1
	wait_for 60 is_in "$_id" cancelled || return 1
	field "$_id" '"\n".join(j["result"]["errors"])' > err.txt
	grep -q -- "$2" err.txt || { sed 's/^/# /' err.txt; return 1; }
}

ok "every column type as JSON" run Every JSON -P min=0
ok "  is the golden JSON" diff -u "$G/sql-pg.json" out.json
ok "every column type as CSV" run Every CSV -P min=0
ok "  is the golden CSV" diff -u "$G/sql-pg.csv" out.csv
# no row: the columns come with the (empty) result
ok "an empty result as CSV" run Every CSV -P min=99
is "$(od -An -c out.csv | tr -s ' ')" \
    "$(head -n 1 "$G/sql-pg.csv" | od -An -c | tr -s ' ')" \
    "  is the header row alone"
ok "an empty result as JSON" run Every JSON -P min=99
is "$(cat out.json)" "[]" "  is []"
ok "xspool-sql's CSV" sh -c "XSPOOL_FORMAT=CSV XSPOOL_PARAM_min=0 \
    '$BIN/xspool-sql' -c '$CONF' -t Every > direct.csv"
ok "  is its JSON Lines converted to CSV" sh -c "XSPOOL_PARAM_min=0 \
    '$BIN/xspool-sql' -c '$CONF' -t Every |
    '$BIN/helpers/xconvert' jsonl CSV | cmp - direct.csv"
ok "  and the golden CSV" cmp "$G/sql-pg.csv" direct.csv
ok "SQL in a parameter is bound as data" \
    run Every JSON -P min=0 -P "txt='; DROP TABLE every; --"
is "$(jq -r '.[].id' out.json | tr '\n' ' ')" "3 " "  it matches its one row"
ok "a writing query fails: the transaction is read-only" \
    fails Write "read-only transaction"
is "$($PSQL -d dental -c 'SELECT count(*) FROM every')" 3 "  the table is intact"

# the type's timeout: the daemon stops the exporter, which cancels the
# query on the server (the server's statement_timeout is the same 2s)
ok "a query past its 2s timeout fails" fails Sleepy "timed out after 2s"
active() {	# active MARK : how many queries holding MARK the server runs
	$PSQL -d postgres -c "SELECT count(*) FROM pg_stat_activity
	    WHERE query LIKE '%$1%' AND pid <> pg_backend_pid()"
}
active_is() { [ "$(active "$1")" = "$2" ]; }	# polled by wait_for
ok "  and pg_stat_activity no longer shows it" \
    wait_for 30 active_is xspool_t0470_sleepy 0
# the sleep itself runs in a FETCH of xspool-sql's cursor, whose text
# does not hold the mark: no backend may still be in pg_sleep
sleeping() {
	$PSQL -d postgres -c "SELECT count(*) FROM pg_stat_activity
	    WHERE wait_event = 'PgSleep'"
}
sleeping_is() { [ "$(sleeping)" = "$1" ]; }
ok "  nor any backend still in pg_sleep" wait_for 30 sleeping_is 0
ok "  the server logged the cancel" \
    grep -q 'canceling statement due to' "$T/pg.err"

# a query waiting on a lock (so that it stays) with the password in the
# config: not on ps, not in the exporter's environment; SIGTERM to the
# exporter (what the daemon's timeout sends) cancels it on the server
mkfifo lock.fifo
exec 7<> lock.fifo
bg lock sh -c "exec $PSQL -d dental < lock.fifo"
echo "BEGIN; LOCK TABLE locked IN ACCESS EXCLUSIVE MODE;" >&7
granted() {
	$PSQL -d dental -c "SELECT count(*) FROM pg_locks
	    WHERE relation = 'locked'::regclass AND granted"
}
granted_is() { [ "$(granted)" = "$1" ]; }
ok "a session holds a lock on table locked" wait_for 30 granted_is 1
bg held "$BIN/xspool-sql" -c "$CONF" -t Held
xp=$(pid_of held)
ok "a query that waits on a lock is running" wait_for 30 \
    active_is xspool_t0470_held 1
ps -eo args > ps.txt
ok "  ps shows its exporter" grep -q "xspool-sql -c $CONF -t Held" ps.txt
nok "  the password is on no command line (ps)" grep -qF -- "$PW" ps.txt
nok "  nor in the exporter's environment" grep -qaF -- "$PW" "/proc/$xp/environ"
kill -TERM "$xp"
ok "SIGTERM to the exporter: pg_stat_activity no longer shows the query" \
    wait_for 30 active_is xspool_t0470_held 0
ok "  while the lock is still held" test "$(granted)" = 1
echo "COMMIT;" >&7
exec 7>&-
wait "$xp"	# after COMMIT: an exporter that did not cancel ends too
rc=$?
is "$rc" 1 "  the exporter exits 1"
ok "  saying the query was cancelled on the server" \
    grep -q "cancelled: the query was stopped on the server" "$T/held.err"

ok "a password from a passfile (mode 0600) connects" run PwFile JSON -P id=1
is "$(jq -r '.[0].txt' out.json)" 'Zoë 日本 "q" \ back, comma' "  and reads"
ok "a query error with the password in the config" fails PwBad "no_such_table"
ok "a server that is down: a clear, retryable error" fails Down \
    "cannot connect to the database (retryable"
is "$(field "$_id" 'j["attempts"]')" 2 "  and it was retried (2 attempts)"
nok "the password is in no job file" grep -rqF -- "$PW" "$SPOOL"
nok "nor in the daemon's log" grep -qF -- "$PW" "$T/d.err"

# a password in a config others can read is refused, without showing it
cp "$CONF" open.conf
chmod 644 open.conf
nok "a config with a password, readable by others, is refused" \
    xspool -c open.conf list
xspool -c open.conf list 2> open.err
ok "  saying why" grep -q "readable by others" open.err
nok "  without the password" grep -qF -- "$PW" open.err

# flat memory: peak RSS of the exporter for 1,000 and 1,000,000 rows
rss() {
	ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=1 \
	    XSPOOL_PARAM_n=$1 /usr/bin/time -f %M -o rss.$1 \
	    "$BIN/xspool-sql" -c "$CONF" -t Million > rows.$1 || return 1
	tail -n 1 rss.$1
}
r1=$(rss 1000)
r2=$(rss 1000000)
diag "xspool-sql peak RSS: 1,000 rows $r1 KiB, 1,000,000 rows $r2 KiB ($(stat -c %s rows.1000000) bytes)"
is "$(wc -l < rows.1000000)" 1000000 "1,000,000 rows streamed"
is "$(tail -n 1 rows.1000000)" \
    '{"id":1000000,"name":"patient 1000000","amount":250000.00,"even":true,"day":"2026-09-23"}' \
    "  the last one typed"
ok "  peak RSS under 64 MiB" test "$r2" -lt 65536
ok "  and within 8 MiB of a 1,000-row export's" test $((r2 - r1)) -lt 8192
stop d
done_testing
