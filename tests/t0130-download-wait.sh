#!/bin/sh
# t0130 - download copies out/ID.zip of a completed job (to
# TYPE-ID.zip, -o FILE or stdout); wait ends 0 on COMPLETED, 1 on CANCELLED
# or on its timeout.
. "$(dirname "$0")/lib.sh"

cli_setup

id=$($X submit T)
$X download "$id" > /dev/null 2> "$T/err"
is "$?" 1 "download of a queued job: exit 1"
ok "download says it is not completed" grep -q 'not COMPLETED' "$T/err"

mv "$SPOOL/queued/$id.job" "$SPOOL/completed/$id.job"
head -c 100000 /dev/urandom > "$SPOOL/out/$id.zip"
mkdir "$T/dl"
(cd "$T/dl" && xspool -c "$CONF" download "$id" > "$T/out")
is "$?" 0 "download: exit 0"
is "$(cat "$T/out")" "T-$id.zip" "download prints the default file name"
ok "default name TYPE-ID.zip, same bytes" cmp "$SPOOL/out/$id.zip" "$T/dl/T-$id.zip"
$X download "$id" -o "$T/named.zip"
ok "-o FILE" cmp "$SPOOL/out/$id.zip" "$T/named.zip"
$X download -o - "$id" > "$T/stdout.zip"
ok "-o - writes to stdout" cmp "$SPOOL/out/$id.zip" "$T/stdout.zip"
rm "$SPOOL/out/$id.zip"
$X download "$id" -o "$T/none.zip" > /dev/null 2>&1
is "$?" 1 "completed job without its zip: exit 1"
$X download ../x > /dev/null 2>&1
is "$?" 2 "download refuses ../x"

# wait
is "$($X wait "$id")" COMPLETED "wait on a completed job prints COMPLETED"
$X wait "$id" > /dev/null
is "$?" 0 "wait on a completed job: exit 0"
c=$($X submit T)
$X cancel "$c"
$X wait "$c" > /dev/null
is "$?" 1 "wait on a cancelled job: exit 1"
q=$($X submit T)
start=$(date +%s)
$X wait -t 1s "$q" > /dev/null 2> "$T/err"
is "$?" 1 "wait -t 1s on a queued job: exit 1"
ok "wait says it timed out" grep -q 'timed out' "$T/err"
ok "after about a second" test $(($(date +%s) - start)) -le 3
# the job completes while we wait
(sleep 0.5; mv "$SPOOL/queued/$q.job" "$SPOOL/completed/$q.job") &
$X wait -t 10s "$q" > /dev/null
is "$?" 0 "wait sees the job complete"
$X wait no-such-job > /dev/null 2>&1
is "$?" 1 "wait on an unknown job: exit 1"
done_testing
