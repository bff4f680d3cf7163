#!/bin/sh
# t0276 - hostile drops in queued/: an id that exists in another state is
# refused (bad/, with the reason) and its zip is never replaced; a
# symbolic link and a FIFO are not followed, not read and not blocked on:
# each goes to bad/ with its reason and the daemon goes on.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types </dev/null
daemon d
drop c1 '{"type": "Ok"}'
ok "a job completes" wait_for 20 is_in c1 completed
sum=$(sha256sum < "$SPOOL/out/c1.zip")
drop c1 '{"type": "Ok", "format": "CSV"}'
ok "a drop reusing its id goes to bad/" wait_for 20 test -e "$SPOOL/bad/c1.job.why"
ok "... saying the id is in use" grep -q "job id c1 is in use: a job of that id is in completed/" "$SPOOL/bad/c1.job.why"
is "$(sha256sum < "$SPOOL/out/c1.zip")" "$sum" "the completed job's zip is untouched"
is "$(where c1 | grep -v ^bad)" completed "the id is in one job state"

echo '{"type": "Ok"}' > "$T/elsewhere.job"
ln -s "$T/elsewhere.job" "$SPOOL/queued/l1.job"
ok "a symbolic link goes to bad/" wait_for 20 test -e "$SPOOL/bad/l1.job.why"
ok "... as a link, not followed" grep -q "symbolic link" "$SPOOL/bad/l1.job.why"
ok "... its target untouched" grep -q Ok "$T/elsewhere.job"
ln -s /etc/shadow "$SPOOL/queued/l2.job"
ok "one to /etc/shadow too" wait_for 20 test -e "$SPOOL/bad/l2.job.why"

mkfifo "$SPOOL/queued/p1.job"
ok "a FIFO goes to bad/" wait_for 20 test -e "$SPOOL/bad/p1.job.why"
ok "... as not a regular file" grep -q "not a regular file" "$SPOOL/bad/p1.job.why"
drop n1 '{"type": "Ok"}'
ok "and the next job completes" wait_for 20 is_in n1 completed
stop d
ln -s "$T/elsewhere.job" "$SPOOL/queued/l3.job"
xspool -c "$CONF" check > "$T/check.out" 2>&1
ok "xspool check names the link" grep -q "not a job: queued/l3.job is a symbolic link" "$T/check.out"
nok "... and reads nothing through it" grep -q '"type"' "$T/check.out"
done_testing
