#!/bin/sh
# t0820 - node faults on a real NFS spool (tests/nfs/README): nodes n1 on
# B and n2 on C (actimeo=1, lease 10 s, rescan 1 s), jobs whose exporter
# runs until the test lets it end (logging "start ID" and "end ID").
#
# 1. Node loss: n1's whole process tree (daemon, workers, exporters) is
#    stopped then killed with -9 while it runs jobs.  n2 reclaims them
#    within lease + a beat (lease/4) + rescan + the attribute cache (the
#    measured time is a diag line; the assertion is only a bound for a
#    hang); only the interrupted runs run again, nothing is lost, nothing
#    is in two states, xspool check is clean.
# 2. Fencing: the process tree of the node running a job is stopped for
#    longer than the lease; the other node reclaims and completes the
#    job; then the stopped node goes on (SIGCONT): its exporter has ended
#    meanwhile, yet it neither puts its zip over out/ID.zip (same inode,
#    same content) nor moves the job, and it logs that it fenced itself.
# 3. A drop one node sends to bad/ while another claims it (a type only
#    one node has) ends in one place: completed/ or bad/, never both.
. "$(dirname "$0")/nfs/guest-lib.sh"

T0=$(date +%s)
at() { diag "[$(($(date +%s) - T0)) s] $*"; }
ms() { date +%s%3N; }
W=${W:-150}			# the bound for a hang, per wait
log=$T/runs.log			# every node's exporter runs, in this guest
: > "$log"
# Slow: an exporter that runs until the file $T/go-ID exists (at most
# 10 minutes), logging "start ID" and "end ID" to $log
cat > "$T/hold" <<'EOF'
#!/bin/sh
echo "start $XSPOOL_ID" >> "$XSPOOL_PARAM_log"
i=0
while [ ! -e "$XSPOOL_PARAM_dir/go-$XSPOOL_ID" ] && [ $i -lt 600 ]; do
	sleep 1
	i=$((i + 1))
done
echo "end $XSPOOL_ID" >> "$XSPOOL_PARAM_log"
printf 'a\n1\n'
EOF
chmod +x "$T/hold"
slow() {
	printf '[type Slow]\ncommand = %s/hold\nemits = csv\n%s\n' \
	    "$T" 'formats = JSON,CSV'
}
# go ID... : let those jobs' exporters end
go() { for _g; do touch "$T/go-$_g"; done; }
# Only1: a type n1 has and n2 has not (for 3.)
only1() {
	printf '\n[type Only1]\ncommand = %s/ok\nemits = csv\n%s\n' \
	    "$EXP" 'formats = JSON,CSV'
}
for n in 1 2; do
	eval "m=\$NFS_$(echo "$n" | tr 12 BC)"
	{ slow; [ $n = 1 ] && only1; } | nfs_conf n$n "$m" workers=2 \
	    lease=10s rescan=1s retry_base=1s retry_max=2s max_attempts=5
done
slow | nfs_conf d "$NFS_D"	# the CLI's, on D
ok "node n1 starts on B" nfs_daemon n1
ok "node n2 starts on C" nfs_daemon n2
at "two nodes up"

# starts ID / ends ID : how many runs of ID's exporter began / ended
starts() { grep -c "^start $1\$" "$log"; }
ends() { grep -c "^end $1\$" "$log"; }
# spool_ok : xspool check is clean through mount d
spool_ok() { X d check > "$T/check.log" 2>&1; }

# ---------------------------------------------------------- 1. node loss
N=8
: > "$T/ids"
i=1
while [ $i -le $N ]; do
	X d submit Slow -f CSV -P "dir=$T" -P "log=$log" -P "n=$i" >> "$T/ids" ||
	    echo "submit $i failed" >> "$T/errors"
	i=$((i + 1))
done
ok "$N slow jobs submitted" test ! -e "$T/errors"
# n1 is running two jobs whose exporters have begun
n1_runs() {
	[ "$(ls "$SPOOL/processing/n1" 2>/dev/null | wc -l)" -ge 2 ] || return 1
	for f in "$SPOOL"/processing/n1/*.job; do
		grep -q "^start $(basename "$f" .job)\$" "$log" || return 1
	done
}
ok "n1 runs two jobs" nfs_wait "$W" n1_runs
t_kill=$(ms)		# the daemon is stopped at once, its tree then
pids=$(nfs_freeze n1)
# its last beat, by the server's view of the heartbeat (the clock is one:
# server and nodes run in this guest)
t_beat=$(date -r "$SPOOL/nodes/n1" +%s%3N)
ls "$SPOOL/processing/n1" | sed 's/\.job$//' | sort > "$T/cut"
grep '^start ' "$log" | cut -d' ' -f2 | sort -u > "$T/begun"
kill -KILL $pids 2>/dev/null
at "n1 killed (-9, $(echo $pids | wc -w) processes) running $(wc -l < "$T/cut") jobs"
wait "$(pid_of n1)" 2>/dev/null
ok "its jobs are left in processing/n1/" test -s "$T/cut"
go $(cat "$T/ids")	# every run ends now: n2's, and those it reclaims
gone_n1() { [ -z "$(ls "$SPOOL/processing/n1")" ]; }
ok "n2 reclaims them" nfs_wait "$W" gone_n1
t_back=$(ms)
# n2 finds n1's heartbeat expired at its first beat after lease (it
# beats every lease/4), reading it by open+fstat (no attribute cache)
diag "n1's jobs reclaimed $((t_back - t_beat)) ms after its last beat," \
    "$((t_back - t_kill)) ms after it was stopped (lease 10 s, n2 beats every 2.5 s)"
alldone() {
	[ "$(jobs completed)" -ge "$N" ] && [ "$(jobs processing)" -eq 0 ] &&
	    [ "$(jobs queued)" -eq 0 ] && [ "$(jobs failed)" -eq 0 ]
}
ok "every job completes" nfs_wait "$W" alldone
at "all $N done"
is "$(jobs completed)" "$N" "$N jobs in completed/"
is "$(total)" "$N" "$N job files in all: none in two states"
is "$(ls "$SPOOL/out" | grep -c '\.zip$')" "$N" "$N zips in out/"
missing=$(while read -r id; do
	[ -f "$SPOOL/completed/$id.job" ] && [ -f "$SPOOL/out/$id.zip" ] ||
	    echo "$id"
done < "$T/ids")
is "$missing" "" "every job is completed with its zip"
reclaimed=$(while read -r id; do
	grep -q " $id: node n1 lost" "$T/n2.err" || echo "$id"
done < "$T/cut")
is "$reclaimed" "" "n2 logged each of n1's jobs as reclaimed"
# the interrupted runs are those that had begun in processing/n1/
again=$(comm -12 "$T/cut" "$T/begun")
twice=$(while read -r id; do
	[ "$(starts "$id")" -gt 1 ] && echo "$id"
done < "$T/ids" | sort)
is "$twice" "$again" "only the interrupted runs ran again"
bad_end=$(while read -r id; do
	[ "$(ends "$id")" -eq 1 ] || echo "$id: $(ends "$id")"
done < "$T/ids")
is "$bad_end" "" "every job's exporter ran to its end once"
counts=$(while read -r id; do
	a=$(field "$id" 'j["attempts"]')
	if grep -qx "$id" "$T/cut"; then
		[ "$a" = 2 ] || echo "$id (cut): $a"
	else
		[ "$a" = 1 ] || echo "$id: $a"
	fi
done < "$T/ids")
is "$counts" "" "the lost attempts count (2 attempts), no other (1)"
ok "xspool check is clean" spool_ok
at "node loss checked"

# ----------------------------------------------------------- 2. fencing
# n1 comes back under its name (its old heartbeat is stale: taken over)
ok "n1 starts again" nfs_daemon n1
F=$(X d submit Slow -f CSV -P "dir=$T" -P "log=$log")
running() {
	s=$(where "$F")
	case $s in processing/*) ;; *) return 1 ;; esac
	[ "$(starts "$F")" -ge 1 ]
}
ok "job $F runs" nfs_wait "$W" running
x=$(where "$F")
x=${x#processing/}
case $x in n1) y=n2 ;; *) y=n1 ;; esac
t_stop=$(ms)
pids=$(nfs_freeze "$x")
at "$x stopped (SIGSTOP, $(echo $pids | wc -w) processes) while it runs $F"
go "$F"		# its run on the other node ends, and $x's when it goes on
ok "$y reclaims and completes it" nfs_wait "$W" is_in "$F" completed
t_done=$(ms)
diag "completed by $y $((t_done - t_stop)) ms after $x stopped"
is "$(field "$F" 'j["node"]')" "$y" "the completed job names $y"
zip=$SPOOL/out/$F.zip
before=$(stat -c %i "$zip")\ $(sha256sum < "$zip")
jobsum=$(sha256sum < "$SPOOL/completed/$F.job")
nmsg=$(grep -c 'lease lapsed' "$T/$x.err")
kill -CONT $pids 2>/dev/null	# a sleep of its exporter may be gone
at "$x continued"
fenced() { [ "$(grep -c 'lease lapsed' "$T/$x.err")" -gt "$nmsg" ]; }
ok "$x logs that its lease lapsed (fenced)" nfs_wait "$W" fenced
back() { grep -q 'lease current again' "$T/$x.err"; }
ok "$x's lease is current again" nfs_wait "$W" back
# its killed worker and exporter are gone: nothing of it runs
quiet() { [ "$(nfs_tree "$(pid_of "$x")" | wc -w)" -le 3 ]; }
nfs_wait 30 quiet
sleep 3
diag "$x said: $(grep -E 'lapsed|abandon|not this node|current again' \
    "$T/$x.err" | tail -n 4 | tr '\n' '|')"
is "$(stat -c %i "$zip") $(sha256sum < "$zip")" "$before" \
    "out/$F.zip is the same file with the same content"
is "$(where "$F")" completed "$F is in completed/ only"
is "$(sha256sum < "$SPOOL/completed/$F.job")" "$jobsum" \
    "its job file is unchanged"
is "$(total)" $((N + 1)) "$((N + 1)) job files in all: none in two states"
is "$(find "$SPOOL/bad" -type f | wc -l)" 0 "nothing in bad/"
is "$(ls "$SPOOL/out" | grep -c '\.zip$')" $((N + 1)) "$((N + 1)) zips"
ok "xspool check is clean" spool_ok
diag "$F ran: $(grep " $F\$" "$log" | cut -d' ' -f1 | tr '\n' ' ')"
at "fencing checked"

# ------------------------------------------- 3. bad/ against a claim
# Dropped jobs of a type only n1 has: n1 claims each, n2 sends each to
# bad/ ("unknown export type"), both from the shared queued/.  Whoever
# moves a file first has it; never both (one id in completed/ and bad/).
B=${B:-40}
i=1
while [ $i -le "$B" ]; do
	echo '{"type": "Only1", "format": "CSV"}' > "$NFS_D/spool/tmp/only-$i.job"
	i=$((i + 1))
done
(cd "$NFS_D/spool/tmp" && mv -- only-*.job ../queued/)
settled() {
	[ "$(jobs queued)" -eq 0 ] && [ "$(jobs processing)" -eq 0 ] &&
	    [ "$(jobs failed)" -eq 0 ]
}
ok "the $B drops are settled" nfs_wait "$W" settled
sleep 2		# a move begun by a node ends
ran=0 badn=0 both="" none=""
i=1
while [ $i -le "$B" ]; do
	c=0 b=0
	[ -f "$SPOOL/completed/only-$i.job" ] && c=1
	[ -n "$(ls "$SPOOL/bad" | grep -E "^only-$i\.job(\.[0-9]+)?\$")" ] && b=1
	ran=$((ran + c)) badn=$((badn + b))
	[ $c$b = 11 ] && both="$both only-$i"
	[ $c$b = 00 ] && none="$none only-$i"
	i=$((i + 1))
done
diag "of $B drops n1 ran $ran, n2 sent $badn to bad/"
is "$both" "" "no drop both completed and in bad/"
is "$none" "" "every drop completed or in bad/"
is "$(ls -a "$SPOOL/bad" | grep -c '^\.hold-')" 0 "nothing held in bad/"
is "$(total)" $((N + 1 + ran)) "no job file in two states"
at "bad/ against claims checked"
ok "n1 stops cleanly" stop n1
ok "n2 stops cleanly" stop n2
done_testing
