#!/bin/sh
# t0110 - status (readable and --json) and list (table, oldest
# first, --json, every state); a file dropped through tmp/ is a job.
. "$(dirname "$0")/lib.sh"

cli_setup

# drop - write a job file through tmp/ and rename it into DIR, as another
# program would
drop() {	# drop DIR NAME JSON
	printf '%s\n' "$3" > "$SPOOL/tmp/drop.$$"
	mv "$SPOOL/tmp/drop.$$" "$SPOOL/$1/$2"
}

$X list > /dev/null	# makes the spool
sh -c "printf '{\"type\": \"T\"}\n' > '$SPOOL/tmp/x.$$' && mv '$SPOOL/tmp/x.$$' '$SPOOL/queued/dropped-1.job'"
ok "a dropped file is listed" sh -c "$X list | grep -q '^dropped-1 '"
ok "and readable by status" sh -c "$X status dropped-1 | grep -Eq '^state: +QUEUED'"
is "$($X status dropped-1 --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["id"], j["type"], j["status"])')" \
    "dropped-1 T QUEUED" "status --json of a dropped file"
rm "$SPOOL/queued/dropped-1.job"

drop queued a-job.job '{"type": "T", "format": "CSV", "created": "2026-01-03T00:00:00Z"}'
drop queued c-job.job '{"type": "T", "created": "2026-01-01T00:00:00Z", "attempts": 2}'
drop queued b-job.job '{"type": "T", "created": "2026-01-02T00:00:00Z"}'
drop queued .hidden.job '{"type": "T"}'
drop queued notajob.tmp '{"type": "T"}'
is "$($X list | awk 'NR > 1 { printf "%s ", $1 }')" "c-job b-job a-job " \
    "list: queued jobs, oldest first, only *.job"
is "$($X list | awk 'NR == 1 { print $1, $2, $3, $4, $5 }')" \
    "ID TYPE FORMAT AGE ATTEMPTS" "list: a header line"
is "$($X list | awk '$1 == "c-job" { print $2, $3, $5 }')" "T - 2" \
    "list: type, format (- when not given), attempts"
ok "list: age in days" sh -c "$X list | awk '\$1 == \"c-job\" { print \$4 }' | grep -Eq '^[0-9]+d$'"

mkdir -p "$SPOOL/processing/nodeA"
drop processing/nodeA p-job.job '{"type": "T", "attempts": 1, "progress": {"records": 42, "bytes": 1000}}'
drop completed d-job.job '{"type": "T", "result": {"success": true, "errors": [], "fileName": "T.json", "fileSizeBytes": 99, "records": 3, "durationMs": 1500}}'
is "$($X list processing | awk 'NR > 1 { print $1, $6 }')" "p-job nodeA" \
    "list processing shows the node"
is "$($X list PROCESSING | awk 'NR > 1 { print $1 }')" "p-job" \
    "state names in any case"
is "$($X list all | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')" \
    "a-job b-job c-job d-job p-job " "list all"
$X list bogus > /dev/null 2>&1
is "$?" 2 "list of an unknown state: exit 2"

is "$($X list --json | $py -c 'import json,sys; print(" ".join(j["id"] + ":" + j["status"] for j in json.load(sys.stdin)))')" \
    "c-job:QUEUED b-job:QUEUED a-job:QUEUED" "list --json parses, oldest first"
is "$($X list all --json | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
    5 "list all --json"
is "$($X list failed --json | $py -c 'import json,sys; print(json.load(sys.stdin))')" \
    "[]" "list --json of an empty state is []"

$X status p-job > "$T/st"
ok "status: state and node" grep -Eq '^state: +PROCESSING \(node nodeA\)' "$T/st"
ok "status: progress" grep -Eq '^progress: +42 records' "$T/st"
ok "status: attempts" grep -Eq '^attempts: +1' "$T/st"
$X status d-job > "$T/st"
ok "status: result" grep -Eq '^result: +success, T.json' "$T/st"
is "$($X status d-job --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["result"]["records"])')" \
    "COMPLETED 3" "status --json: status and result"
$X status no-such-job > /dev/null 2> "$T/err"
is "$?" 1 "status of an unknown job: exit 1"
ok "status: says no such job" grep -q 'no such job' "$T/err"
for bad in ../x a/b .. '' x/../../etc; do
	$X status "$bad" > /dev/null 2>&1
	is "$?" 2 "status refuses id '$bad' with exit 2"
done
done_testing
