#!/bin/sh
# t0330 - a full disk (ENOSPC): the attempt fails with the reason and is
# retried later; nothing else is lost; once there is room it completes.
# Needs a small tmpfs (root); skipped otherwise.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

FS=$T/fs
mkdir -p "$FS"
if ! mount -t tmpfs -o size=1M tmpfs "$FS" 2>/dev/null; then
	skip "ENOSPC" "cannot mount a tmpfs here"
	done_testing
	exit 0
fi
trap 'for p in $_pids; do kill -KILL "$p" 2>/dev/null; done; wait 2>/dev/null; umount "$FS"; cleanup' EXIT
SPOOL=$FS/spool
types <<CONF
[type Rand]
command = $EXP/bad random 3000000
emits = csv
formats = JSON,CSV
CONF
# its retry is far off (on a loaded machine retries every second used up
# max_attempts before the disk had room) and asked for with xspool retry
spool_set max_attempts=5 retry_base=10m retry_max=10m min_free=0
daemon d
drop small1 '{"type": "Ok"}'
ok "a small job completes" wait_for 20 is_in small1 completed
drop rand1 '{"type": "Rand"}'
ok "a job too big for the disk fails" wait_for 10 is_in rand1 failed
errs=$(field rand1 '"|".join(j["result"]["errors"])')
diag "rand1: $errs"
ok "the error says no space" sh -c "echo '$errs' | grep -qi 'no space'"
ok "the small job is intact" is_in small1 completed
ok "... with its zip" test -s "$SPOOL/out/small1.zip"
ok "no partial zip left behind" test ! -e "$SPOOL/out/rand1.zip"
mount -o remount,size=32M "$FS"
ok "xspool retry queues it at once" xspool -c "$CONF" retry rand1
ok "with room again, the retry completes" wait_for 15 is_in rand1 completed
ok "its zip is whole" sh -c "unzip -tq '$SPOOL/out/rand1.zip' >/dev/null"
stop d
done_testing
