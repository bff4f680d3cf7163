#!/bin/sh
# t0570 - the whole flow with the real daemon: POST -> QUEUED ->
# PROCESSING (progress) -> COMPLETED -> Download; the zip opens with 7z
# and the password; the status fields have the right values and types;
# cancel answers 404 while PROCESSING, after COMPLETED and after the last
# failed attempt; the password never shows in answers or logs.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
cat >> "$CONF" <<CONF

[type Drip]
command = $TOP/tests/exporters/drip 20
emits = csv
formats = JSON,CSV

[type DripTotal]
command = $TOP/tests/exporters/drip 20 total
emits = csv
formats = JSON,CSV
CONF
synthetic
hdaemon
P=/api/v1/ExportRequest
S=/api/v1/ExportResult/Status

# status ID : the state of job ID, for wait_for
state_is() {
	[ "$(curl -s -H "X-Api-Key: $A" "$URL$S/$1" | jq -r .status)" = "$2" ]
}

req POST "$P/Patients?format=CSV&from=2024-01-01&email=ops@example.com" \
    -H "X-Api-Key: $A" -H "X-Export-Password: Flow-Pw-77"
ID=$(jf .id)
is "$CODE $(jf .status)" "200 QUEUED" "POST: 200 QUEUED"
ok "the daemon completes it" wait_for 20 state_is "$ID" COMPLETED
req GET "$S/$ID" -H "X-Api-Key: $A"
is "$(jq -c '[.id, .exportType, .format, .status, .attempts, .result.success, .result.errors]' "$T/body")" \
    "[\"$ID\",\"Patients\",\"CSV\",\"COMPLETED\",1,true,[]]" \
    "status: id, type, format, state, attempts, success"
is "$(jq -r '[.created, .started, .finished] | map(test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) | all' "$T/body")" \
    true "created, started and finished are RFC 3339 times"
is "$(jq -r '.created <= .started and .started <= .finished' "$T/body")" true \
    "created <= started <= finished"
is "$(jq -r '.result | [(.durationMs|type), (.fileSizeBytes|type), (.records|type), .fileName] | join(" ")' "$T/body")" \
    "number number number Patients.csv" "result numbers are numbers; fileName"
REC=$(jf .result.records)
SIZE=$(jf .result.fileSizeBytes)
ok "records counted ($REC)" test "$REC" -gt 0
is "$SIZE" "$(stat -c %s "$SPOOL/out/$ID.zip")" "fileSizeBytes is the zip's size"
ok "no password in the answer" sh -c "! grep -q Flow-Pw-77 '$T/body'"
is "$(jf .encrypted)" true "made with a password: encrypted, once the password is gone from the file too"
ok "... which it is" sh -c "! grep -q password '$SPOOL/completed/$ID.job'"

req GET "/api/v1/ExportResult/Download/$ID" -H "X-Api-Key: $A"
is "$CODE $(hdr Content-Length)" "200 $SIZE" "Download: 200, the whole zip"
cp "$T/body" "$T/result.zip"
ok "the zip is encrypted: no extraction without the password" \
    sh -c "! 7z x -y -pwrong -o'$T/x0' '$T/result.zip' > /dev/null 2>&1"
ok "7z opens it with the password" \
    sh -c "7z x -y -pFlow-Pw-77 -o'$T/x' '$T/result.zip' > /dev/null 2>&1"
is "$(/usr/bin/python3 -c 'import csv, sys
print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' \
    "$T/x/Patients.csv")" "$REC" \
    "Patients.csv holds the counted records and a header"
req DELETE "$P/Cancel/$ID" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel a COMPLETED job: 404"

# JSON without a password
req POST "$P/Appointments" -H "X-Api-Key: $A"
J=$(jf .id)
ok "an Appointments JSON export completes" wait_for 20 state_is "$J" COMPLETED
req GET "$S/$J" -H "X-Api-Key: $A"
is "$CODE $(jf .encrypted)" "200 false" "made without a password: encrypted false"
curl -s -o "$T/j.zip" -H "X-Api-Key: $A" "$URL/api/v1/ExportResult/Download/$J"
ok "its zip holds valid JSON" sh -c "7z x -so '$T/j.zip' Appointments.json 2>/dev/null | jq -e 'type == \"array\"' > /dev/null"

# PROCESSING: an exporter writing a row every 0.2 s for 4 s, and one that
# announces its 20 rows first (two workers: both run at once)
req POST "$P/Drip" -H "X-Api-Key: $A"
W=$(jf .id)
req POST "$P/DripTotal" -H "X-Api-Key: $A"
WT=$(jf .id)
# progressing ID : PROCESSING with records counted so far
progressing() {
	req GET "$S/$1" -H "X-Api-Key: $A"
	[ "$(jf '[.status, .progress.records > 0] | join(" ")')" = \
	    "PROCESSING true" ]
}
ok "the dripping job is PROCESSING with progress" wait_for 10 progressing "$W"
is "$(jq -r '[(.started != null), (.finished == null), (.result == null),
    (.progress.bytes > 0)] | all' "$T/body")" \
    true "processing: started, not finished, no result yet, bytes counted"
is "$(jq -c .progress.total "$T/body")" null "no total announced: progress.total null"
# announced ID : PROCESSING, its progress saying the total announced
announced() {
	req GET "$S/$1" -H "X-Api-Key: $A"
	[ "$(jq -c '[.status, .progress.total]' "$T/body")" = \
	    '["PROCESSING",20]' ]
}
ok "the announcing job's progress.total is the 20 records it announced" \
    wait_for 10 announced "$WT"
is "$(jq -c '.progress | [(.records | type), .records <= 20]' "$T/body")" \
    '["number",true]' "... beside the records so far"
req DELETE "$P/Cancel/$W" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel a PROCESSING job: 404"
ok "and it still completes" wait_for 15 state_is "$W" COMPLETED
req GET "$S/$W" -H "X-Api-Key: $A"
is "$(jq -c '[.progress, .result.records]' "$T/body")" "[null,20]" \
    "completed: no progress, the result counts the 20 records"
ok "the announcing one completes" wait_for 15 state_is "$WT" COMPLETED
req GET "$S/$WT" -H "X-Api-Key: $A"
is "$(jq -c '[.progress, .result.records, .result.errors]' "$T/body")" "[null,20,[]]" \
    "completed: no progress, 20 records, the announcement is no error"

# a job that fails every attempt ends CANCELLED; cancel is 404 then
req POST "$P/Synthetic?fail_attempts=9" -H "X-Api-Key: $A"
F=$(jf .id)
ok "a job failing every attempt ends CANCELLED" wait_for 20 state_is "$F" CANCELLED
req GET "$S/$F" -H "X-Api-Key: $A"
is "$(jq -c '[.attempts, .result.success, (.result.errors | length > 0)]' "$T/body")" \
    "[2,false,true]" "attempts 2, success false, with errors"
req DELETE "$P/Cancel/$F" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel a job cancelled after its attempts: 404"

# QUEUED -> cancel while the daemon is stopped
stop daemon
req POST "$P/Patients?late=1" -H "X-Api-Key: $A"
Q=$(jf .id)
req DELETE "$P/Cancel/$Q" -H "X-Api-Key: $A"
is "$CODE $(jf .status)" "200 CANCELLED" "cancel while QUEUED: 200"
req GET "$S/$Q" -H "X-Api-Key: $A"
is "$(jf .status)" CANCELLED "then status CANCELLED"

# job metrics: 4 completed (attempts 1 each), 2 cancelled (2 attempts
# and 0), counted once each, JS_DELAY (5 s) after they ended
metric() {
	curl -s "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'
}
ended() {
	[ "$(metric 'xspool_jobs_ended_total{state="completed"}')" = 4 ] &&
	    [ "$(metric 'xspool_jobs_ended_total{state="cancelled"}')" = 2 ]
}
ok "metrics: 4 jobs completed, 2 cancelled" wait_for 15 ended
is "$(metric xspool_job_attempts_total) $(metric xspool_job_duration_seconds_count)" \
    "6 4" "metrics: 6 attempts in all, 4 export durations"
jq -c '.extra = 1' "$SPOOL/completed/$ID.job" > "$T/re" &&
    mv "$T/re" "$SPOOL/completed/$ID.job"
sleep 1.2
is "$(metric 'xspool_jobs_ended_total{state="completed"}')" 4 \
    "a job file rewritten later is not counted again"

for f in "$T/access.log" "$T/httpd.err" "$T/daemon.err" \
    "$T/captures.jsonl"; do
	nok "no password in ${f##*/}" grep -q Flow-Pw-77 "$f"
done
openapi_check
stop httpd
is "$?" 0 "xspool-httpd exits 0"
done_testing
