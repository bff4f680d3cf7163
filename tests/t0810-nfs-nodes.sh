#!/bin/sh
# t0810 - three xspoold nodes, each on its own NFS mount of one export
# (A: v3 with default attribute caching, B: v4.2, C: v3, see
# tests/nfs/README), share N jobs submitted through all four mounts (D
# has no node: its jobs reach the nodes by their rescans only, so they
# race for them): by the CLI, by files written straight into queued/ and
# by files renamed in from tmp/; then a batch of M files renamed into
# queued/ through D at once.  Halfway the NFS server restarts.  Every job
# ends COMPLETED,
# exactly once (the exporter logs every run), in one state only, with a
# zip that 7z tests OK; xspool check is clean through every mount.
. "$(dirname "$0")/nfs/guest-lib.sh"

N=${N:-120}			# jobs one by one
M=${M:-100}			# jobs in the batch at the end
T0=$(date +%s)
at() { diag "[$(($(date +%s) - T0)) s] $*"; }
log=$T/runs.log			# one log for every node: all run in this guest
: > "$log"
for n in 1 2 3; do
	eval "m=\$NFS_$(echo "$n" | tr 123 ABC)"
	nfs_conf n$n "$m" workers=2 rescan=1s lease=30s < /dev/null
done
at "configs written"
ok "node n1 starts on A" nfs_daemon n1
ok "node n2 starts on B" nfs_daemon n2
ok "node n3 starts on C" nfs_daemon n3
nfs_conf d "$NFS_D" < /dev/null
at "three nodes up"

# submit FROM TO : jobs FROM..TO, each through mount i % 4; (i / 4) % 3
# picks the way: 0 the CLI, 1 a file written into queued/, 2 a file
# written in tmp/ and renamed into queued/
: > "$T/ids"
submit() {
	_i=$1
	while [ "$_i" -le "$2" ]; do
		case $((_i % 4)) in
		0) _c=n1 _m=$NFS_A ;;
		1) _c=n2 _m=$NFS_B ;;
		2) _c=n3 _m=$NFS_C ;;
		3) _c=d _m=$NFS_D ;;
		esac
		_j="{\"type\": \"Ok\", \"format\": \"CSV\", \"params\": {\"log\": \"$log\"}}"
		case $((_i / 4 % 3)) in
		0)	X $_c submit Ok -f CSV -P "log=$log" >> "$T/ids" ||
			    echo "submit $_i failed" >> "$T/errors" ;;
		1)	echo "$_j" > "$_m/spool/queued/drop-$_i.job"
			echo "drop-$_i" >> "$T/ids" ;;
		2)	echo "$_j" > "$_m/spool/tmp/mv-$_i"
			mv "$_m/spool/tmp/mv-$_i" "$_m/spool/queued/mv-$_i.job"
			echo "mv-$_i" >> "$T/ids" ;;
		esac
		_i=$((_i + 1))
	done
}
half=$((N / 2))
t0=$(date +%s)
submit 1 $half
ok "the first $half submissions went in" test ! -e "$T/errors"
# the server restarts while jobs run: nothing may be lost
at "the first half is in"
ok "the NFS server restarts" nfs_restart
at "restarted"
submit $((half + 1)) $N
t1=$(date +%s)
ok "all $N submissions went in" test ! -e "$T/errors"
# the batch: written in D's tmp/, then renamed into queued/ by one mv
i=1
while [ $i -le "$M" ]; do
	echo "{\"type\": \"Ok\", \"format\": \"CSV\", \"params\": {\"log\": \"$log\"}}" \
	    > "$NFS_D/spool/tmp/batch-$i.job"
	echo "batch-$i" >> "$T/ids"
	i=$((i + 1))
done
(cd "$NFS_D/spool/tmp" && mv -- batch-*.job ../queued/)
is "$(ls "$NFS_D/spool/tmp" | grep -c '^batch-')" 0 "the batch of $M went in"
t1=$(date +%s)
N=$((N + M))
is "$(sort -u "$T/ids" | wc -l)" "$N" "$N distinct ids"
diag "submitted $N jobs in $((t1 - t0)) s"

alldone() {
	[ "$(jobs completed)" -ge "$N" ] && [ "$(jobs processing)" -eq 0 ] &&
	    [ "$(jobs queued)" -eq 0 ] && [ "$(jobs failed)" -eq 0 ]
}
ok "every job completes (the server's view)" nfs_wait alldone
t2=$(date +%s)
diag "$N jobs done $((t2 - t0)) s after the first submission"
# a worker may still be finishing after its move; let every node go idle
sleep 1
for s in queued processing failed completed cancelled; do
	diag "$s: $(jobs $s)"
done
at "all done"
is "$(jobs completed)" "$N" "$N jobs in completed/"
is "$(total)" "$N" "$N job files in all: none in two states"
is "$(find "$SPOOL/out" -name '*.zip' | wc -l)" "$N" "$N zips in out/"
is "$(find "$SPOOL/bad" -type f | wc -l)" 0 "nothing in bad/"
missing=$(while read -r id; do
	[ -f "$SPOOL/completed/$id.job" ] && [ -f "$SPOOL/out/$id.zip" ] ||
	    echo "$id"
done < "$T/ids")
is "$missing" "" "every submitted id is completed with its zip"

is "$(wc -l < "$log")" "$N" "the exporter ran $N times"
dups=$(sort "$log" | uniq -d)
is "$dups" "" "no job ran twice"
is "$(sort -u "$log" | wc -l)" "$N" "every job ran"
many=$(grep -L '"attempts": 1[,}]' "$SPOOL"/completed/*.job)
is "$many" "" "every job took one attempt"

ok "every zip tests OK (7z t)" \
    sh -c "7z t -an '-ai!$SPOOL/out/*.zip' > '$T/7z.log' 2>&1"
is "$(sed -n 's/^OK archives: //p' "$T/7z.log")" "$N" "7z: $N OK archives"

nodes=""
for n in n1 n2 n3; do
	c=$(grep -l "\"node\": \"$n\"" "$SPOOL"/completed/*.job | wc -l)
	nodes="$nodes $n=$c"
	eval "ran_$n=$c"
done
diag "jobs per node:$nodes"
is $((ran_n1 + ran_n2 + ran_n3)) "$N" "each job names one of the three nodes"

at "counted and tested"
for n in n1 n2 n3; do
	ok "xspool check is clean through $n's mount" \
	    sh -c "xspool -c '$T/$n.conf' check > '$T/check-$n.log' 2>&1"
done
# the CLI's answer through each mount, for a job submitted each way:
# ids 1, 6, 11 (the CLI, a drop, a rename; through B, C, D) and the
# batch's last, asked through A, B, C and D
set -- $(sed -n '1p;6p;11p;$p' "$T/ids")
for n in n1 n2 n3 d; do
	X $n status "$1" 2>&1 | grep -Eq '^state: +COMPLETED' ||
	    echo "$n: $1"
	shift
done > "$T/status.bad"
is "$(cat "$T/status.bad")" "" "xspool status says COMPLETED through every mount"
at "checked"
# Identity: a node name alive elsewhere is refused at start.  A second
# n1 on D: it must exit, not start.
nfs_conf dup "$NFS_D" node=n1 < /dev/null
bg dup xspoold -f -c "$T/dup.conf"
dup=$(pid_of dup)
settled() { ! kill -0 "$dup" || grep -q 'started: node' "$T/dup.err"; }
nfs_wait 120 settled
refused() { ! kill -0 "$dup" && ! grep -q 'started: node' "$T/dup.err"; }
diag "the second n1 said: $(head -n 1 "$T/dup.err")"
todo_ok "a second n1 (on D) is refused at start while n1 lives" \
    "node identity is not checked at start yet" refused
kill -TERM "$dup" 2>/dev/null
wait "$dup" 2>/dev/null
at "identity"
for n in n1 n2 n3; do
	ok "$n stops cleanly" stop $n
done
at "stopped"
done_testing
