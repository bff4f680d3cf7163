#!/bin/sh
# t0270 - files dropped straight into queued/: each kind of unreadable
# file lands in bad/ with a .why; a file that does not parse yet is left
# alone until unchanged for drop_grace; good files written in place (no
# tmp/) are processed; other names are ignored.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types drop_grace=10s </dev/null	# room for a loaded machine
daemon d
Q=$SPOOL/queued

printf '{"type": "Ok",' > "$Q/trunc.job"
printf '{"format": "CSV"}' > "$Q/notype.job"
printf '{"type": "NoSuchType"}' > "$Q/unknown.job"
printf '{"type": "Ok"}' > "$Q/bad id!.job"
printf '{"type": "Ok", "format": "XML"}' > "$Q/format.job"
printf '{"type": 42}' > "$Q/typenum.job"
head -c 1100000 /dev/zero | tr '\0' ' ' > "$Q/huge.job"
printf '{"type": "Ok"}' > "$Q/notes.txt"
printf '{"type": "Ok"}' > "$Q/.hidden.job"
# a slow writer: half now, the rest within drop_grace (10s)
printf '{"type": ' > "$Q/slow.job"
printf '{"type": "Ok", "format": "CSV"}' > "$Q/good1.job"
sleep 0.5
ok "a truncated file is left alone within drop_grace" test -e "$Q/trunc.job"
ok "... and so is the slow writer's" test -e "$Q/slow.job"
printf '{"type": "Ok"}' > "$Q/slow.job"

# the .why follows its file by one rename
whyhas() { wait_for 5 grep -qi "$2" "$SPOOL/bad/$1.why"; }
for n in notype unknown "bad id!" format typenum huge; do
	ok "$n.job goes to bad/" wait_for 20 test -e "$SPOOL/bad/$n.job"
done
ok "no type: the reason says so" whyhas notype.job type
ok "unknown type: named" whyhas unknown.job NoSuchType
ok "bad id: the reason says so" whyhas "bad id!.job" "id"
ok "over 1 MiB: the reason says so" whyhas huge.job "1 MiB"
ok "the log says it too" grep -q 'queued/unknown.job -> bad/' "$T/d.err"
ok "a good dropped file is processed" wait_for 20 is_in good1 completed
ok "the slow writer's file, once whole, is processed" wait_for 20 is_in slow completed
ok "the truncated one goes to bad/ after drop_grace" wait_for 40 test -e "$SPOOL/bad/trunc.job"
ok "with a JSON reason" whyhas trunc.job json
ok "other names are ignored" test -e "$Q/notes.txt" -a -e "$Q/.hidden.job"
ok "nothing else went to bad/" test "$(ls "$SPOOL/bad" | grep -vc '\.why$')" -eq 7
stop d
done_testing
