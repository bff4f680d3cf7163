#!/bin/sh
# t0360 - jobs are taken oldest first (by mtime, then name); a job that
# inotify cannot see (a hard link makes only IN_CREATE) is found by the
# periodic rescan, and only then.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types <<CONF
CONF
spool_set workers=1
mkdir -p "$SPOOL/queued"
for n in c a d b; do
	echo '{"type": "Ok"}' > "$SPOOL/queued/$n.job"
done
touch -d '4 minutes ago' "$SPOOL/queued/d.job"
touch -d '3 minutes ago' "$SPOOL/queued/b.job"
touch -d '2 minutes ago' "$SPOOL/queued/a.job"
touch -d '2 minutes ago' "$SPOOL/queued/c.job"
daemon d
alldone() { [ "$(jobs completed)" -eq 4 ]; }
ok "all four complete" wait_for 10 alldone
order=$(sed -n 's/.* \([a-d]\) Ok queued -> processing.*/\1/p' "$T/d.err" | tr -d '\n')
is "$order" dbac "claimed oldest first, then by name"
stop d

# rescan: 1 s finds a file inotify does not report
echo '{"type": "Ok"}' > "$SPOOL/tmp/linked"
daemon d2
ln "$SPOOL/tmp/linked" "$SPOOL/queued/linked1.job"
ok "the rescan finds a hard-linked job" wait_for 10 is_in linked1 completed
stop d2

# with a long rescan interval it stays until the next rescan
spool_set rescan=1h
echo '{"type": "Ok"}' > "$SPOOL/tmp/linked2"
daemon d3
ln "$SPOOL/tmp/linked2" "$SPOOL/queued/linked2.job"
sleep 2
ok "... and only the rescan (inotify gives no event for it)" is_in linked2 queued
echo '{"type": "Ok"}' > "$SPOOL/queued/poke.job"
ok "a written job is seen at once" wait_for 5 is_in poke completed
stop d3
daemon d4
ok "a restart scans and finds it" wait_for 5 is_in linked2 completed
stop d4
done_testing
