#!/bin/sh
# t0390 - when the kernel's inotify queue overflows (more events than
# max_queued_events while the daemon is not reading), the daemon rescans
# at once: a job whose event was lost is still picked up, long before
# the periodic rescan (set to an hour here).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

max=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 16384)
if [ "$max" -gt 100000 ]; then
	skip "inotify overflow" "max_queued_events is $max"
	done_testing
	exit 0
fi
types rescan=1h </dev/null
daemon d -d
drop first1 '{"type": "Ok"}'
ok "a job is picked up through inotify" wait_for 10 is_in first1 completed

kill -STOP "$(pid_of d)"
# more events than the queue holds (ignored names), then a job
(cd "$SPOOL/queued" && seq 1 $((max + 500)) | sed 's/$/.txt/' | xargs touch)
drop late1 '{"type": "Ok"}'
kill -CONT "$(pid_of d)"
ok "the overflow is noticed" wait_for 10 grep -q 'inotify queue overflow: rescan' "$T/d.err"
ok "the job whose event was lost is processed" wait_for 10 is_in late1 completed
ok "the ignored names stay where they are" test -e "$SPOOL/queued/1.txt"
stop d
done_testing
