#!/bin/sh
# t0520 - GET Status/{id} (fields, types, no password,
# progress and result by state), DELETE Cancel/{id} (200 when QUEUED, then
# CANCELLED; 404 in every other state), and client isolation: client B
# cannot see, cancel, download or list client A's jobs; an admin sees all.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

clients
S=/api/v1/ExportResult/Status
C=/api/v1/ExportRequest/Cancel

# mkjob DIR ID CLIENT [JSON MEMBERS] : a job file put in place by hand
mkjob() {
	mkdir -p "$SPOOL/$1"
	printf '{"id":"%s","type":"Patients","format":"CSV","client":"%s",
	    "created":"2026-11-30T10:00:00Z","password":"Job-Pass-9"%s}\n' \
	    "$2" "$3" "${4:+,$4}" > "$SPOOL/$1/$2.job"
}

req POST "/api/v1/ExportRequest/Patients?format=CSV&password=Pw-Query-7" \
    -H "X-Api-Key: $A"
Q=$(jf .id)
req GET "$S/$Q" -H "X-Api-Key: $A"
is "$CODE $(jf .id) $(jf .status) $(jf .exportType) $(jf .format)" \
    "200 $Q QUEUED Patients CSV" "status of a queued job"
is "$(jq -c '[.attempts, .started, .finished, .progress, .result]' "$T/body")" \
    '[0,null,null,null,null]' "queued: no attempts, times, progress or result"
is "$(jq -r 'keys_unsorted | join(",")' "$T/body")" \
    "id,exportType,format,encrypted,status,created,started,finished,attempts,nextAttempt,cancelReason,progress,result" \
    "the status body has exactly the documented fields"
is "$(jf .encrypted)" true "asked with a password: encrypted true"
req POST "/api/v1/ExportRequest/Patients?format=CSV&plain=1" -H "X-Api-Key: $A"
E=$(jf .id)
req GET "$S/$E" -H "X-Api-Key: $A"
is "$CODE $(jq -c .encrypted "$T/body")" "200 false" "without a password: encrypted false"
req DELETE "$C/$E" -H "X-Api-Key: $A"
req POST "/api/v1/ExportRequest/Patients?format=CSV&hdr=1" -H "X-Api-Key: $A" \
    -H "X-Export-Password: Pw-Header-8"
E=$(jf .id)
req GET "$S/$E" -H "X-Api-Key: $A"
is "$CODE $(jq -c .encrypted "$T/body")" "200 true" "a password in the header: encrypted true"
req DELETE "$C/$E" -H "X-Api-Key: $A"
req GET "$S/$E" -H "X-Api-Key: $A"
is "$CODE $(jf .status) $(jf .encrypted)" "200 CANCELLED true" \
    "cancelled (its password dropped from the file): still encrypted true"
ok "no password in the status answer" sh -c "! grep -qi 'pw-query-7\|password' '$T/body'"

mkjob processing/n1 job-run erp '"started":"2026-11-30T10:00:01Z","attempts":0,"node":"n1","progress":{"records":120,"bytes":9400}'
req GET "$S/job-run" -H "X-Api-Key: $A"
is "$(jq -c '[.status, .progress.records, .progress.bytes, .progress.total, .started]' "$T/body")" \
    '["PROCESSING",120,9400,null,"2026-11-30T10:00:01Z"]' \
    "processing: progress (no total announced: null) and started"
is "$(jq -r '.progress | keys_unsorted | join(",")' "$T/body")" \
    "records,bytes,total" "the progress object has exactly the documented fields"
ok "no job password either" sh -c "! grep -q Job-Pass-9 '$T/body'"
mkjob processing/n1 job-tot erp '"started":"2026-11-30T10:00:01Z","attempts":0,"node":"n1","progress":{"records":120,"bytes":9400,"total":480}'
req GET "$S/job-tot" -H "X-Api-Key: $A"
is "$(jq -c '[.status, .progress, .encrypted]' "$T/body")" \
    '["PROCESSING",{"records":120,"bytes":9400,"total":480},true]' \
    "processing: the total the exporter announced"

mkjob completed job-done erp '"started":"2026-11-30T10:00:01Z","finished":"2026-11-30T10:00:06Z","attempts":1,"result":{"success":true,"errors":[],"durationMs":5321,"fileName":"Patients.csv","fileSizeBytes":812,"records":12,"callbackSent":true,"notifyEmailSent":false}'
req GET "$S/job-done" -H "X-Api-Key: $A"
is "$(jq -c '[.status, .attempts, .result.success, .result.durationMs, .result.fileSizeBytes, .result.records, .result.fileName, .result.callbackSent, .result.notifyEmailSent, .result.errors]' "$T/body")" \
    '["COMPLETED",1,true,5321,812,12,"Patients.csv",true,false,[]]' \
    "completed: the result with the right values and types"
is "$(jq -r '.result | keys | join(",")' "$T/body")" \
    "callbackError,callbackSent,callbackStatus,durationMs,errors,fileName,fileSizeBytes,notifyEmailError,notifyEmailSent,notifyEmailStatus,records,success" \
    "the result object has exactly the documented fields"

is "$(jf .encrypted)" true "a completed job whose file still holds its password: encrypted"
mkjob completed job-gone erp '"encrypted":true,"attempts":1,"result":{"success":true,"errors":[],"durationMs":5,"fileName":"Patients.csv","fileSizeBytes":8,"records":1}'
sed -i 's/"password":"Job-Pass-9",//' "$SPOOL/completed/job-gone.job"
req GET "$S/job-gone" -H "X-Api-Key: $A"
is "$CODE $(jf .encrypted)" "200 true" "password dropped, \"encrypted\" kept in the file: encrypted"
mkjob completed job-plain erp '"attempts":1,"result":{"success":true,"errors":[],"durationMs":5,"fileName":"Patients.csv","fileSizeBytes":8,"records":1}'
sed -i 's/"password":"Job-Pass-9",//' "$SPOOL/completed/job-plain.job"
req GET "$S/job-plain" -H "X-Api-Key: $A"
is "$CODE $(jf .encrypted)" "200 false" "neither a password nor \"encrypted\": not encrypted"

mkjob completed job-quiet erp '"attempts":1,"result":{"success":true,"errors":[],"durationMs":5,"fileName":"Patients.csv","fileSizeBytes":8,"records":1,"callbackSent":null}'
req GET "$S/job-quiet" -H "X-Api-Key: $A"
is "$(jq -c '[.result.callbackSent, .result.notifyEmailSent]' "$T/body")" \
    '[false,false]' "no callback or e-mail asked for: false, never null"

mkjob failed job-fail erp '"attempts":1,"nextAttempt":"2026-11-30T10:05:00Z","result":{"success":false,"errors":["exit 3"],"durationMs":10}'
req GET "$S/job-fail" -H "X-Api-Key: $A"
is "$(jq -c '[.status, .result.success, .result.errors[0]]' "$T/body")" \
    '["FAILED",false,"exit 3"]' "failed: the result says why"

# cancel
req DELETE "$C/$Q" -H "X-Api-Key: $A"
is "$CODE $(jf .id) $(jf .status)" "200 $Q CANCELLED" "cancel a queued job: 200"
ok "its file moved to cancelled/" test -f "$SPOOL/cancelled/$Q.job" -a \
    ! -e "$SPOOL/queued/$Q.job"
is "$(jq -r '[.cancelledBy, (.password // "none")] | join(" ")' "$SPOOL/cancelled/$Q.job")" \
    "client none" "cancelledBy client (the API), the password dropped from the file"
req GET "$S/$Q" -H "X-Api-Key: $A"
is "$(jq -c '[.status, .result.success, (.finished != null)]' "$T/body")" \
    '["CANCELLED",false,true]' "status after cancel: CANCELLED with finished"
req DELETE "$C/$Q" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel a cancelled job: 404"
req DELETE "$C/job-run" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel a processing job: 404"
req DELETE "$C/job-done" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel a completed job: 404"
req DELETE "$C/job-fail" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel a failed job: 404"
ok "and the failed job stays failed" test -f "$SPOOL/failed/job-fail.job"
req DELETE "$C/no-such-job" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "cancel an unknown id: 404"
req GET "$S/no-such-job" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "status of an unknown id: 404"
req GET "$S/.hidden" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "status of a malformed id: 400"

# isolation
req POST "/api/v1/ExportRequest/Patients?iso=1" -H "X-Api-Key: $A"
QA=$(jf .id)
mkdir -p "$SPOOL/out"
printf 'zip' > "$SPOOL/out/job-done.zip"
req GET "$S/$QA" -H "X-Api-Key: $B"
errcheck 404 NOT_FOUND "B cannot see A's queued job"
req GET "$S/job-done" -H "X-Api-Key: $B"
errcheck 404 NOT_FOUND "B cannot see A's completed job"
req GET "/api/v1/ExportResult/Download/job-done" -H "X-Api-Key: $B"
errcheck 404 NOT_FOUND "B cannot download A's zip"
req DELETE "$C/$QA" -H "X-Api-Key: $B"
errcheck 404 NOT_FOUND "B cannot cancel A's job"
ok "which is still queued" test -f "$SPOOL/queued/$QA.job"
req GET /api/v1/ExportResult/Queued -H "X-Api-Key: $B"
is "$CODE $(jf .count) $(jf '.items | length')" "200 0 0" "B's list holds none of A's jobs"
req GET /api/v1/ExportResult/Queued -H "X-Api-Key: $A"
is "$(jf '[.items[].id] | join(" ")')" "$QA" "A's list holds A's job"
mkjob queued nobody-job ""
sed -i 's/"client":"",//' "$SPOOL/queued/nobody-job.job"
req GET "$S/nobody-job" -H "X-Api-Key: $A"
is "$CODE" 404 "a dropped job without client is no user's"
req GET "$S/$QA" -H "X-Api-Key: $ADM"
is "$CODE $(jf .id)" "200 $QA" "an admin key sees A's job"
req GET "$S/nobody-job" -H "X-Api-Key: $ADM"
is "$CODE" 200 "and the dropped one"
req GET /api/v1/ExportResult/Queued -H "X-Api-Key: $ADM"
is "$(jf .count)" 2 "an admin lists every queued job"

# a status answer is kept per job file: served again only while the file
# is the same (rewritten in place with the same size, moved, another key)
mkjob completed job-kept erp '"attempts":1,"finished":"2026-11-30T10:00:05Z"'
req GET "$S/job-kept" -H "X-Api-Key: $A"
req GET "$S/job-kept" -H "X-Api-Key: $A"
req GET "$S/job-kept" -H "X-Api-Key: $A"
is "$CODE $(jf .attempts)" "200 1" "status asked three times"
/usr/bin/python3 - "$SPOOL/completed/job-kept.job" <<'PY'
import sys
with open(sys.argv[1], "r+") as f:
    t = f.read().replace('"attempts":1', '"attempts":7')
    f.seek(0)
    f.write(t)
PY
req GET "$S/job-kept" -H "X-Api-Key: $A"
is "$CODE $(jf .attempts)" "200 7" "the file rewritten in place, same size: the new answer"
req GET "$S/job-kept" -H "X-Api-Key: $B"
errcheck 404 NOT_FOUND "another client's key still gets 404"
req GET "$S/job-kept" -H "X-Api-Key: $ADM"
is "$CODE $(jf .attempts)" "200 7" "an admin key gets it"
mv "$SPOOL/completed/job-kept.job" "$SPOOL/cancelled/job-kept.job"
req GET "$S/job-kept" -H "X-Api-Key: $A"
is "$CODE $(jf .status)" "200 CANCELLED" "the file moved: the state follows"
rm "$SPOOL/cancelled/job-kept.job"
req GET "$S/job-kept" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "the file removed: 404"

openapi_check
stop httpd
done_testing
