#!/bin/sh
# t0320 - start-up housekeeping: tmp/ files older than an hour are removed
# (younger ones kept); out/ zips of jobs that exist nowhere are removed
# once older than a minute (a zip whose job exists, or a young one, is
# kept); a second daemon with the same node name is refused.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types <<CONF
CONF
daemon d
stop d
echo x > "$SPOOL/tmp/1.old.1.abc"
touch -d '2 hours ago' "$SPOOL/tmp/1.old.1.abc"
echo x > "$SPOOL/tmp/2.young.1.abc"
touch -d '10 minutes ago' "$SPOOL/tmp/2.young.1.abc"
echo z > "$SPOOL/out/orphan1.zip"
touch -d '2 minutes ago' "$SPOOL/out/orphan1.zip"
echo z > "$SPOOL/out/young1.zip"
echo z > "$SPOOL/out/kept1.zip"
touch -d '2 minutes ago' "$SPOOL/out/kept1.zip"
echo '{"type": "Ok", "nextAttempt": "2099-01-01T00:00:00Z", "attempts": 1}' > "$SPOOL/failed/kept1.job"
daemon d2
ok "an old tmp/ file is removed" test ! -e "$SPOOL/tmp/1.old.1.abc"
ok "a young tmp/ file is kept" test -e "$SPOOL/tmp/2.young.1.abc"
ok "an old orphan zip is removed" test ! -e "$SPOOL/out/orphan1.zip"
ok "a young zip is kept" test -e "$SPOOL/out/young1.zip"
ok "a zip whose job exists is kept" test -e "$SPOOL/out/kept1.zip"
ok "the log says what was removed" grep -q 'out/orphan1.zip: removed' "$T/d2.err"

# one daemon per node name
xspoold -f -c "$CONF" 2> "$T/second.err"
is "$?" 1 "a second daemon with the same node exits 1"
ok "saying the node is in use" grep -q 'node testnode is in use' "$T/second.err"
ok "the first one still runs" kill -0 "$(pid_of d2)"
ok "its heartbeat is still there" test -e "$SPOOL/nodes/testnode"
stop d2
done_testing
