#!/bin/sh
# t0830 - one clock and client caches on a real NFS spool (tests/nfs/README).
#
# 1. One clock: n1 on B runs a job that fails (retry in 60 s by the
#    server's clock) and a long job; n2 on C runs under faketime +10
#    minutes (NO_FAKE_STAT, FAKE_UTIME: file times stay the server's, as
#    on a machine whose clock is wrong).  For longer than the lease, n2
#    neither retries the failed job early (nextAttempt is the server's)
#    nor reclaims n1's live job.
# 2. Caches: xspool-httpd on A (NFSv3, default attribute caching: acregmin
#    3 s up to acregmax 60 s, acdirmin 30 s up to acdirmax 60 s) is asked
#    for the status of jobs it took, which nodes on B and C run and
#    complete: no answer may be older than the server's view before the
#    request (the bound xspool-httpd.8 states); the lag from completed/
#    to the answer COMPLETED is a diag line.
# 3. The same for moves made on purpose under a kept answer, and for a
#    job asked for (404) just before it appears in a node's directory (probes).
. "$(dirname "$0")/nfs/guest-lib.sh"

T0=$(date +%s)
at() { diag "[$(($(date +%s) - T0)) s] $*"; }
ms() { date +%s%3N; }
W=${W:-150}			# the bound for a hang, per wait
log=$T/runs.log
: > "$log"
M=xspool-t0830-$$
# Hold: an exporter that runs until the file $T/go-ID exists (at most
# 10 minutes), logging "start ID" and "end ID"
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
types_in() {
	printf '[type Slow]\ncommand = %s/slow %s\nemits = csv\n%s\n\n' \
	    "$EXP" "$M" 'formats = JSON,CSV'
	printf '[type Hold]\ncommand = %s/hold\nemits = csv\n%s\n\n' \
	    "$T" 'formats = JSON,CSV'
	printf '[type Fail]\ncommand = %s/bad exit\nemits = csv\n%s\n' \
	    "$EXP" 'formats = JSON,CSV'
}
for n in 1 2; do
	eval "m=\$NFS_$(echo "$n" | tr 12 BC)"
	types_in | nfs_conf n$n "$m" workers=2 lease=10s rescan=1s \
	    retry_base=60s retry_max=60s max_attempts=5
done
types_in | nfs_conf d "$NFS_D"
types_in | nfs_conf h "$NFS_A"	# xspool-httpd's

# ----------------------------------------------------------- 1. one clock
# libfaketime preloaded straight into xspoold (faketime(1) would fork
# and wait, and a stop by PID would reach it, not the daemon)
ftlib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
if [ -z "$ftlib" ]; then
	skip "a node with another clock" "faketime is not installed"
else
ok "node n1 starts on B" nfs_daemon n1
late=$(X d submit Fail -f CSV)
ok "n1's attempt at $late fails" nfs_wait "$W" is_in "$late" failed
live=$(X d submit Hold -f CSV -P "dir=$T" -P "log=$log")
runs() { is_in "$live" processing/n1 && grep -q "^start $live" "$log"; }
ok "n1 runs $live (until told to end)" nfs_wait "$W" runs
ftd() {
	LD_PRELOAD=$ftlib FAKETIME=+10m NO_FAKE_STAT=1 FAKE_UTIME=1 \
	    exec xspoold -f -c "$T/n2.conf"
}
bg n2 ftd
ok "node n2 (+10 min) starts on C" \
    nfs_wait 120 grep -q 'started: node' "$T/n2.err"
at "n2 started"
# n2's clock is 10 minutes ahead: its log's times say so
t2=$(sed -n 's/^\([0-9T:.-]*\)Z xspoold: .*started: node.*/\1Z/p' \
    "$T/n2.err" | head -n 1)
ahead=$(($(date -d "$t2" +%s) - $(date +%s)))
diag "n2's clock is ${ahead} s ahead"
ok "n2's clock is ahead by about 10 minutes" \
    test "$ahead" -gt 500 -a "$ahead" -lt 700
# longer than the lease and many rescans (n2 reclaims after its beats:
# 6 of them, every 2.5 s, are 15 s): a node on its own clock would
# retry the failed job at once and judge n1's heartbeat 10 minutes old
beats=0 last=
seen_beats() {
	b=$(date -r "$SPOOL/nodes/n2" +%s%N) || return 1
	[ "$b" = "$last" ] || beats=$((beats + 1))
	last=$b
	[ "$beats" -gt 6 ]
}
ok "n2 beats 6 times" nfs_wait "$W" seen_beats
at "n2 has beaten"
is "$(field "$late" 'j["attempts"]')" 1 \
    "n2 did not retry the failed job before its nextAttempt"
is "$(where "$late")" failed "it waits in failed/"
is "$(where "$live")" processing/n1 "n2 left n1's live job alone"
nok "n2 judged no node lost" grep -q 'lost' "$T/n2.err"
touch "$T/go-$live"
ok "the live job completes" nfs_wait "$W" is_in "$live" completed
is "$(field "$live" 'j["node"]') $(field "$live" 'j["attempts"]')" "n1 1" \
    "... run once, by n1"
is "$(grep -c "^start $live" "$log")" 1 "its exporter ran once"
at "one clock checked"
ok "n2 stops cleanly" stop n2
ok "n1 stops cleanly" stop n1
fi

# ------------------------------------------------------------- 2. caches
ok "node n1 starts on B" nfs_daemon n1
ok "node n2 starts on C" nfs_daemon n2
KEY=$(X h key add erp)
bg httpd xspool-httpd -f -c "$T/h.conf" -p "$T/port"
ok "xspool-httpd starts on A" nfs_wait 120 test -s "$T/port"
URL=http://127.0.0.1:$(cat "$T/port")
# rest_status ID : the status REST gives for ID
rest_status() {
	curl -s -H "X-Api-Key: $KEY" "$URL/api/v1/ExportResult/Status/$1" |
	    jq -r .status
}
# three quick jobs and three that run 30 s (polled meanwhile, so that
# the client's caches hold their earlier state as long as they may)
: > "$T/ids"
for i in 1 2 3 4 5 6; do
	case $i in
	[123]) q="Ok?format=CSV&n=$i" ;;
	*) q="Slow?format=CSV&sleep=30&n=$i&log=$log" ;;
	esac
	curl -s -X POST -H "X-Api-Key: $KEY" \
	    "$URL/api/v1/ExportRequest/$q" | jq -r .id >> "$T/ids"
done
is "$(grep -c . "$T/ids")" 6 "six jobs submitted through REST on A"
# poll in rounds: first the server's view of every job, then REST's
# answers for all in one curl.  A job's lag is from the first round whose
# server view had it in completed/ to the first round REST said
# COMPLETED; an answer other than COMPLETED in a round whose server view
# had the job in completed/ already is a stale one.
: > "$T/lag"
: > "$T/answers"
end=$(($(date +%s) + W))
left=$(cat "$T/ids")
rounds=0
r0=$(ms)
while [ -n "$left" ] && [ "$(date +%s)" -lt "$end" ]; do
	now=$(ms)
	urls=""
	: > "$T/order"
	for id in $left; do
		echo "$id" >> "$T/order"
		v=done_$(echo "$id" | tr - _)
		eval "d=\${$v:-}"
		if [ -z "$d" ] && [ -f "$SPOOL/completed/$id.job" ]; then
			eval "$v=$now"
		fi
		urls="$urls $URL/api/v1/ExportResult/Status/$id"
	done
	# one answer a line, in the order asked; an error by its Code
	curl -s -H "X-Api-Key: $KEY" $urls |
	    jq -r '.status // "ERROR:\(.Code):\(.Message)" | gsub(" "; "_")' |
	    paste -d ' ' "$T/order" - > "$T/round"
	next=""
	while read -r id r; do
		v=done_$(echo "$id" | tr - _)
		eval "d=\${$v:-}"
		echo "$id $now ${d:+done} $r" >> "$T/answers"
		if [ "$r" = COMPLETED ]; then
			echo "$id $((now - ${d:-$now}))" >> "$T/lag"
			continue
		fi
		next="$next $id"
	done < "$T/round"
	left=$next
	rounds=$((rounds + 1))
	sleep 0.2
done
round=$((($(ms) - r0) / (rounds > 0 ? rounds : 1)))
is "$(wc -l < "$T/lag")" 6 "REST on A says COMPLETED for all six"
stale=$(grep ' done [A-Z]' "$T/answers" | grep -vc ' COMPLETED$')
diag "REST answers: $(wc -l < "$T/answers") in $rounds rounds of ${round} ms:" \
    "$(awk '{ print $NF }' "$T/answers" | sort | uniq -c | tr -s ' \n' ' ')"
diag "REST on A said COMPLETED after the server's completed/ by (ms):" \
    $(cut -d' ' -f2 "$T/lag") "; stale answers: $stale"
is "$stale" 0 "no answer older than the server's view at the request"
grep ' ERROR:' "$T/answers" | while read -r l; do diag "error answer: $l"; done
# A job on a node's directory was once answered 404 for ~30 s here: the
# names A cached as missing in processing/NODE/ lived until acdirmin.
# A look-up on NFS now opens each node's directory first (probe 3 below
# makes that case on purpose).
ok "no error answers" test "$(grep -c ' ERROR:' "$T/answers")" -eq 0
grep ' ERROR:' "$T/answers" | head -n 3 | sed 's/^/#   /'
at "caches checked"
ok "n1 stops cleanly" stop n1
ok "n2 stops cleanly" stop n2

# 3. The worst case, made on purpose: a job that REST on A has answered
# for a while (its kept answer, the names and attributes A caches) is
# moved by another client.  No node runs now; the moves are made on the
# server (NFS_EXPORT), as another client's would land there.  Probe 1
# renames the file itself (same inode) from queued/ to processing/p/ to
# completed/; probe 2 writes a new file into completed/ and removes the
# one in queued/ (a new inode, as a worker's final rewrite).  Each time:
# how long until REST says the new state.
# rest_until ID STATUS : poll REST on A until it says STATUS; prints
# how many answers it took (1: the first request after the move saw it)
# and the milliseconds, or "never" after W s
rest_until() {
	_s=$(ms)
	_e=$(($(date +%s) + W))
	_k=0
	while [ "$(date +%s)" -lt "$_e" ]; do
		_k=$((_k + 1))
		if [ "$(rest_status "$1")" = "$2" ]; then
			echo "$_k $(($(ms) - _s))"
			return
		fi
		sleep 0.2
	done
	echo "never"
}
# warm ID : 20 s of REST answers for ID (the cache timeouts grow while
# nothing changes: acregmin 3 s doubling up to 60 s); sets per, the
# milliseconds one answer takes here
warm() {
	_s=$(ms)
	_e=$(($(date +%s) + 20))
	_k=0
	while [ "$(date +%s)" -lt "$_e" ]; do
		rest_status "$1" > /dev/null
		_k=$((_k + 1))
	done
	per=$((($(ms) - _s) / _k))
}
probe_job() {
	printf '{"id": "%s", "type": "Ok", "format": "CSV", "client": "erp", "created": "2026-12-01T10:00:00Z"}\n' "$1"
}
mkdir -p "$SPOOL/processing/p"
probe_job probe-1 > "$SPOOL/tmp/probe-1.job"
mv "$SPOOL/tmp/probe-1.job" "$SPOOL/queued/"
is "$(rest_status probe-1)" QUEUED "probe 1 is QUEUED"
warm probe-1
mv "$SPOOL/queued/probe-1.job" "$SPOOL/processing/p/"
lag1=$(rest_until probe-1 PROCESSING)
warm probe-1
mv "$SPOOL/processing/p/probe-1.job" "$SPOOL/completed/"
lag2=$(rest_until probe-1 COMPLETED)
probe_job probe-2 > "$SPOOL/tmp/probe-2.job"
mv "$SPOOL/tmp/probe-2.job" "$SPOOL/queued/"
is "$(rest_status probe-2)" QUEUED "probe 2 is QUEUED"
warm probe-2
probe_job probe-2 > "$SPOOL/tmp/probe-2.job"
mv "$SPOOL/tmp/probe-2.job" "$SPOOL/completed/"
rm "$SPOOL/queued/probe-2.job"
lag3=$(rest_until probe-2 COMPLETED)
# probe 3: asked for before it exists (A caches its names as missing, in
# processing/p/ too), then put into processing/p/ as a node's claim does
code() {
	curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $KEY" \
	    "$URL/api/v1/ExportResult/Status/$1"
}
is "$(code probe-3) $(code probe-3)" "404 404" "probe 3 is not found"
probe_job probe-3 > "$SPOOL/tmp/probe-3.job"
mv "$SPOOL/tmp/probe-3.job" "$SPOOL/processing/p/"
lag4=$(rest_until probe-3 PROCESSING)
diag "one REST answer takes about $per ms here"
diag "REST on A followed a move by another client after (answers, ms):" \
    "same file queued -> processing: $lag1; processing -> completed:" \
    "$lag2; a new file queued -> completed: $lag3;" \
    "one asked for while missing, then in processing/p/: $lag4"
# the bound xspool-httpd.8 states: a request made after the move has
# ended on the server gets the new state (close-to-open)
is "${lag1% *}" 1 "the first answer after queued -> processing says PROCESSING"
is "${lag2% *}" 1 "the first answer after processing -> completed says COMPLETED"
is "${lag3% *}" 1 "the first answer after a new file in completed/ says COMPLETED"
is "${lag4% *}" 1 "the first answer after a 404 and a claim says PROCESSING"
stop httpd
done_testing
