#!/bin/sh
# t0170 - the CLI with a running xspoold: submit, wait, download
# an encrypted zip; cancels racing the daemon's claims leave every job in
# exactly one state, and check finds the spool consistent.
. "$(dirname "$0")/lib.sh"

mkconf <<EOF2
[type Patients]
command = $TOP/etc/exporters/patients
emits = csv
formats = JSON,CSV

[type Slow]
command = /bin/sleep 0.2
emits = csv
formats = JSON,CSV
EOF2
X="xspool -c $CONF"
py=/usr/bin/python3

$X list > /dev/null	# makes the spool
bg d xspoold -c "$CONF" -f
id=$($X submit Patients -f csv -p pw123)
$X wait -t 30s "$id" > "$T/wait"
is "$?" 0 "wait: exit 0 once the daemon completes the job"
is "$(cat "$T/wait")" COMPLETED "wait prints COMPLETED"
is "$($X status "$id" --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["result"]["success"], "password" in j)')" \
    "COMPLETED True False" "status --json: completed, success, no password"
(cd "$T" && xspool -c "$CONF" download "$id" > /dev/null)
ok "download wrote Patients-ID.zip" test -s "$T/Patients-$id.zip"
if command -v 7z > /dev/null; then
	ok "the zip opens with its password" \
	    sh -c "7z t -ppw123 '$T/Patients-$id.zip' > /dev/null"
	nok "and not with another" \
	    sh -c "7z t -pwrong '$T/Patients-$id.zip' > /dev/null 2>&1"
else
	skip "the zip opens with its password" "no 7z"
	skip "and not with another" "no 7z"
fi

# cancels racing claims: each job ends in exactly one state.  The jobs
# are queued while the daemon is down, then it starts and all the cancels
# run at once.
stop d
n=30
for i in $(seq $n); do $X submit Slow -P n=$i; done > "$T/ids"
bg d2 xspoold -c "$CONF" -f
pids=
: > "$T/won"
for id in $(cat "$T/ids"); do
	( $X cancel "$id" 2> /dev/null && echo "$id" >> "$T/won" ) &
	pids="$pids $!"
done
wait $pids
cancelled=$(wc -l < "$T/won")
settled() {
	[ -z "$(find "$SPOOL/queued" "$SPOOL/failed" "$SPOOL/processing" \
	    -name '*.job')" ]
}
ok "all jobs settle" wait_for 30 settled
is "$(ls "$SPOOL/cancelled" | wc -l)" "$cancelled" \
    "as many jobs in cancelled/ as cancels that said yes ($cancelled)"
is "$(($(ls "$SPOOL/completed" | wc -l) + $(ls "$SPOOL/cancelled" | wc -l)))" \
    $((n + 1)) "every job in completed/ or cancelled/"
is "$(for id in $(cat "$T/ids"); do
	find "$SPOOL" -name "$id.job"; done | wc -l)" "$n" "no job in two states"
ok "some cancels won ($cancelled of $n)" test "$cancelled" -gt 0
is "$($py - "$SPOOL" <<'PY'
import glob, json, sys
bad = 0
for f in glob.glob(sys.argv[1] + "/cancelled/*.job"):
	j = json.load(open(f))
	bad += j.get("cancelledBy") != "user" or j.get("started") is not None
for f in glob.glob(sys.argv[1] + "/completed/*.job"):
	j = json.load(open(f))
	bad += "cancelledBy" in j or not j["result"]["success"]
print(bad)
PY
)" 0 "every file says what happened to it (cancelled or done, not both)"
$X check > "$T/check"
is "$?" 0 "check: consistent"
stop d2
done_testing
