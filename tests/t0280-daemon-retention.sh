#!/bin/sh
# t0280 - retention: completed/ and cancelled/ jobs older than retention
# are deleted with their zips (at start, every minute, after a reload);
# younger ones and other states are kept.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types retention=1h </dev/null
daemon d
drop old1 '{"type": "Ok"}'
drop new1 '{"type": "Ok"}'
ok "two jobs complete" wait_for 20 sh -c "test -e '$SPOOL/completed/old1.job' -a -e '$SPOOL/completed/new1.job'"
touch -d '2 hours ago' "$SPOOL/completed/old1.job"
echo '{"type": "Ok", "cancelledBy": "user"}' > "$SPOOL/cancelled/oldc.job"
touch -d '2 hours ago' "$SPOOL/cancelled/oldc.job"
echo '{"type": "Ok", "cancelledBy": "user"}' > "$SPOOL/cancelled/newc.job"
echo '{"type": "Ok", "nextAttempt": "2099-01-01T00:00:00Z"}' > "$SPOOL/failed/oldf.job"
touch -d '2 hours ago' "$SPOOL/failed/oldf.job"
ok "still there before the pass" test -e "$SPOOL/completed/old1.job"
kill -HUP "$(pid_of d)"
ok "the pass runs after the reload" wait_for 20 grep -q 'oldc cancelled: expired' "$T/d.err"
ok "an old completed job is deleted" test ! -e "$SPOOL/completed/old1.job"
ok "... with its zip" test ! -e "$SPOOL/out/old1.zip"
ok "an old cancelled job is deleted" test ! -e "$SPOOL/cancelled/oldc.job"
ok "a young completed job is kept" test -e "$SPOOL/completed/new1.job"
ok "... with its zip" test -e "$SPOOL/out/new1.zip"
ok "a young cancelled job is kept" test -e "$SPOOL/cancelled/newc.job"
ok "an old failed job is kept" test -e "$SPOOL/failed/oldf.job"
ok "the log says so" grep -q 'old1 completed: expired' "$T/d.err"
stop d

# at start, too
touch -d '2 hours ago' "$SPOOL/completed/new1.job"
daemon d2
ok "at start: an old job is deleted" wait_for 20 grep -q 'new1 completed: expired' "$T/d2.err"
ok "... its file is gone" test ! -e "$SPOOL/completed/new1.job"
ok "... with its zip" test ! -e "$SPOOL/out/new1.zip"
stop d2
done_testing
