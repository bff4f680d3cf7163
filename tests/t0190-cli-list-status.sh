#!/bin/sh
# t0190 - list's filters (--state, --type, --client, --since, --until,
# --limit, combined, with --json); status and wait of a dropped file that
# went to bad/ show BAD and the reason from its .why; wait's last line on
# a terminal shows the finished job's records and zip size, and a
# percentage when the exporter announces its total (XSPOOL_TOTAL=N on
# stderr, which is then not taken for an error).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types <<EOF2
[type T]
command = /bin/true
emits = csv
formats = JSON,CSV

[type U]
command = /bin/true
emits = csv
formats = JSON,CSV

[type Many]
command = $EXP/ok 20000
emits = csv
formats = JSON,CSV

[type Counted]
command = $T/counted
emits = csv
formats = JSON,CSV

[type CountedBad]
command = $T/counted bad
emits = csv
formats = JSON,CSV
EOF2
cat > "$T/counted" <<'EOS'
#!/bin/sh
# 30 rows, 0.1 s apart, announced first; with "bad": fails after them
echo "XSPOOL_TOTAL=30" >&2
echo n
i=1
while [ $i -le 30 ]; do echo $i; sleep 0.1; i=$((i + 1)); done
[ "${1:-}" = bad ] && { echo "boom" >&2; exit 1; }
exit 0
EOS
chmod +x "$T/counted"
X="xspool -c $CONF"
py=/usr/bin/python3
$X list > /dev/null	# makes the spool

# jobs with known created times, types, clients and states
put() {	# put STATE ID TYPE CLIENT CREATED
	printf '{"type": "%s", "format": "CSV", "client": "%s", "created": "%s"}\n' \
	    "$3" "$4" "$5" > "$SPOOL/$1/$2.job"
}
put queued q-2024 T erp 2024-06-01T12:00:00Z
put queued q-2025 U crm 2025-06-01T12:00:00Z
put queued q-2026 T crm 2026-01-01T00:00:00Z
put completed c-2025 T erp 2025-07-01T00:00:00Z
put cancelled x-2025 U erp 2025-08-01T00:00:00Z
recent=$($X submit T -C erp)
ids() { awk 'NR > 1 { print $1 }' | tr '\n' ' '; }

is "$($X list | ids)" "q-2024 q-2025 q-2026 $recent " "no filter: queued, oldest first"
is "$($X list --type T | ids)" "q-2024 q-2026 $recent " "--type T"
is "$($X list --type T,U --client crm | ids)" "q-2025 q-2026 " "--type T,U --client crm"
is "$($X list --client erp --client crm --state completed | ids)" "c-2025 " \
    "--client twice, --state completed"
is "$($X list --state queued,cancelled --client erp | ids)" "q-2024 x-2025 $recent " \
    "--state as a comma list"
is "$($X list --state queued --state completed --type T | ids)" \
    "q-2024 c-2025 q-2026 $recent " "--state repeated"
ok "several states: a STATE column" sh -c "$X list --state queued,completed | head -n 1 | grep -q STATE"
is "$($X list all --since 2025-01-01 --until 2026-01-01 | ids)" \
    "q-2025 c-2025 x-2025 " "--since and --until as dates (until excluded)"
is "$($X list all --since 2025-06-01T12:00:00Z --until 2025-07-01T00:00:01+00:00 | ids)" \
    "q-2025 c-2025 " "--since and --until as ISO 8601 times with a zone"
is "$($X list all --since 2025-06-01T14:00:00+02:00 --until 2025-06-01T12:00:01Z | ids)" \
    "q-2025 " "an offset counts"
is "$($X list all --since 1h | ids)" "$recent " "--since 1h: only the job just submitted"
is "$($X list all --until 1h | ids)" "q-2024 q-2025 c-2025 x-2025 q-2026 " "--until 1h: the others"
is "$($X list all --limit 2 | ids)" "q-2026 $recent " "--limit 2: the newest two, oldest first"
is "$($X list all --type U --limit 1 | ids)" "x-2025 " "--limit after the filters"
is "$($X list all --limit 0 | ids)" "" "--limit 0: none"
is "$($X list all --client crm --json | $py -c 'import json,sys; print(" ".join(j["id"] + ":" + j["status"] for j in json.load(sys.stdin)))')" \
    "q-2025:QUEUED q-2026:QUEUED" "--json with filters"
is "$($X list all --client nobody --json)" "[]" "--json: nothing matches, an empty array"

# bad/: a dropped file the daemon refuses
printf '{"type": "Nope"}\n' > "$SPOOL/queued/dropped-1.job"
daemon d
ok "the daemon moves it to bad/" wait_for 20 test -e "$SPOOL/bad/dropped-1.job.why"
$X status dropped-1 > "$T/st"
is "$?" 0 "status of a bad file: exit 0"
ok "status: state BAD" grep -q '^state: *BAD' "$T/st"
ok "status: the reason from the .why" grep -q '^reason: *unknown export type "Nope"' "$T/st"
ok "status: the file" grep -q '^file: *bad/dropped-1.job$' "$T/st"
is "$($X status dropped-1 --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["id"], j["status"], j["file"], j["reason"])')" \
    'dropped-1 BAD bad/dropped-1.job unknown export type "Nope"' "status --json: BAD, file and reason"
$X wait dropped-1 > "$T/w" 2> "$T/w.err"
is "$?" 1 "wait on a bad file: exit 1"
is "$(cat "$T/w")" BAD "wait prints BAD"
ok "and why on stderr" grep -q 'unknown export type' "$T/w.err"
$X cancel dropped-1 2> "$T/c.err"
is "$?" 1 "cancel of a bad file: exit 1"
ok "says it is BAD, and why" grep -q 'dropped-1 is BAD (bad/dropped-1.job): unknown export type' "$T/c.err"
# the same name dropped again: the latest (dropped-1.job.1) is shown
printf 'not json' > "$SPOOL/queued/dropped-1.job"
ok "a second bad file of that name" wait_for 20 test -e "$SPOOL/bad/dropped-1.job.1.why"
ok "status shows the latest" sh -c "$X status dropped-1 | grep -q 'bad/dropped-1.job.1'"
ok "with its reason" sh -c "$X status dropped-1 | grep -q 'reason: *bad JSON'"
$X status nosuch-1 > /dev/null 2> "$T/e"
is "$?" 1 "an unknown id is still: exit 1"
ok "no such job" grep -q 'no such job' "$T/e"

# wait's last line: the finished job's counts, not "0 records 0 B"
id=$($X submit Many -f CSV)
script -qec "$X wait -t 60s $id" /dev/null > "$T/tty" 2>&1
is "$?" 0 "wait on a terminal: exit 0"
last=$(tr '\r' '\n' < "$T/tty" | grep 'COMPLETED' | grep -v '^COMPLETED' | tail -n 1)
diag "last line: $last"
ok "the last line shows the 20000 records" sh -c "echo '$last' | grep -q ' 20000 records'"
ok "and the zip's size" sh -c "echo '$last' | grep -Eq 'zip [0-9.]+ (B|KiB|MiB)'"
nok "no percentage when the exporter announced no total" sh -c "echo '$last' | grep -q '%'"

# an exporter that announces its total: a percentage while it runs and at
# the end
id=$($X submit Counted -f CSV)
pct() { $X status "$id" | grep -Eq '^progress: +[0-9]+ records \([0-9]+%\)'; }
ok "status shows the percentage while it runs" wait_for 30 pct
is "$(field "$id" 'j["progress"]["total"]')" 30 "the job file's progress has the total"
script -qec "$X wait -t 60s $id" /dev/null > "$T/tty2" 2>&1
is "$?" 0 "wait: exit 0"
last=$(tr '\r' '\n' < "$T/tty2" | grep 'COMPLETED' | grep -v '^COMPLETED' | tail -n 1)
diag "last line: $last"
ok "wait's last line: 30 records (100%)" sh -c "echo '$last' | grep -q ' 30 records (100%), zip'"
ok "while running it showed a percentage" sh -c "tr '\r' '\n' < '$T/tty2' | grep -q 'PROCESSING.*records ([0-9]*%)'"
nok "the finished job keeps no progress object" sh -c "$X status --json $id | grep -q '\"total\"'"
bid=$($X submit CountedBad -f CSV)
ok "a failing one fails" wait_for 60 sh -c "$X status $bid | grep -q 'attempt 1: boom'"
nok "its announcement is not an error" sh -c "$X status $bid | grep -q XSPOOL_TOTAL"
$X cancel --running "$bid" > /dev/null 2>&1
stop d
done_testing
