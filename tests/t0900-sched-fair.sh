#!/bin/sh
# t0900 - fair share through the real daemon: with workers = 2 and client
# A's 1,000 slow jobs queued, client B's one job is among the first 2
# started after it was submitted (not after A's backlog, as schedule =
# fifo does); weights 3 : 1 give A 150 of the first 200 claims; a type's
# max_running is never exceeded under load while other types run.  The
# order is read from what the exporter logged (tests/exporters/turn) and
# from the daemon's claim lines, never from times.  A failed job's retry
# keeps its place (before its client's younger jobs), and a restarted
# daemon takes the jobs in the order xspool list showed.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

log=$T/turn.log
turn_types() {
	types "$@" <<CONF
[type Turn]
command = $EXP/turn $log
emits = csv

[type Heavy]
command = $EXP/turn $log
emits = csv
max_running = 2
CONF
}
# many N PREFIX CLIENT TYPE SLEEP : N job files dropped into queued/,
# created a second apart from 2020-01-01 on (job i at second i)
many() {
	mkdir -p "$SPOOL/queued"
	_i=0
	while [ $_i -lt "$1" ]; do
		printf '{"type": "%s", "client": "%s", "created": "2020-01-01T%02d:%02d:%02dZ", "params": {"sleep": "%s"}}\n' \
		    "$4" "$3" $((_i / 3600)) $((_i / 60 % 60)) $((_i % 60)) "$5" \
		    > "$SPOOL/queued/$2$_i.job"
		_i=$((_i + 1))
	done
}
starts() { grep -c '^start' "$log" 2>/dev/null || echo 0; }
claimed() { sed -n 's/.* \([a-z]*[0-9]*\) [A-Za-z]* queued -> processing (claimed).*/\1/p' "$T/$1.err"; }

# 1. B's one job against A's backlog
turn_types workers=2
many 1000 a A Turn 1
daemon d
ok "two of A's jobs start" wait_for 20 sh -c "[ \$(grep -c '^start' '$log') -ge 2 ]"
b=$(xspool -c "$CONF" submit -C B Turn)
before=$(starts)
ok "B's job completes" wait_for 30 is_in "$b" completed
pos=$(grep '^start' "$log" | awk -v b="$b" -v n="$before" 'NR > n { k++; if ($2 == b) { print k; exit } }')
diag "B's job was start number ${pos:-?} after its submission ($before of A's had started)"
ok "B's job is among the first 3 started after it was submitted (2 but for a claim made as it was queued)" \
    test "${pos:-99}" -le 3
stop d

# the same under schedule = fifo: B waits behind A's backlog
: > "$log"
rm -f "$SPOOL"/queued/* "$SPOOL"/completed/* "$SPOOL"/out/*
turn_types workers=2 schedule=fifo
many 20 a A Turn 0
drop b0 '{"type": "Turn", "client": "B"}'
daemon f
ok "fifo: all 21 complete" wait_for 30 sh -c "[ \$(ls '$SPOOL/completed' | grep -c job) -eq 21 ]"
# by the daemon's claims: with two workers the last two exporters start
# at once, so their start lines may come in either order
pos=$(claimed f | awk '$1 == "b0" { print NR; exit }')
is "$pos" 21 "fifo: B's job (the youngest) is claimed last"
stop f

# 2. weights 3 : 1, one worker, 200 jobs each
: > "$log"
rm -f "$SPOOL"/completed/* "$SPOOL"/out/*
turn_types workers=1 "weights=1, A:3"
many 200 a A Turn 0
many 200 b B Turn 0
daemon w
ok "weights: the first 200 claimed" wait_for 60 sh -c "[ \$(grep -c 'claimed' '$T/w.err') -ge 200 ]"
na=$(claimed w | head -n 200 | grep -c '^a')
diag "A had $na of the first 200 claims"
ok "A (weight 3) has 150 +- 5 of the first 200 claims" \
    test "$na" -ge 145 -a "$na" -le 155
stop w

# 3. max_running = 2 for Heavy, four workers, under load
: > "$log"
rm -f "$SPOOL"/queued/* "$SPOOL"/completed/* "$SPOOL"/out/*
turn_types workers=4
many 12 h A Heavy 0.3
many 12 l A Turn 0.3
daemon m
ok "max_running: all 24 complete" wait_for 60 sh -c "[ \$(ls '$SPOOL/completed' | grep -c job) -eq 24 ]"
peak() {
	awk -v t="$1" '$3 == t && $1 == "start" { n++; if (n > m) m = n }
	    $3 == t && $1 == "end" { n-- } END { print m + 0 }' "$log"
}
diag "at most $(peak Heavy) Heavy and $(peak Turn) Turn jobs ran at once"
ok "Heavy (max_running = 2) never ran more than 2 at once" test "$(peak Heavy)" -le 2
ok "Heavy used its 2" test "$(peak Heavy)" -eq 2
ok "Turn took the other workers meanwhile (2 at once)" test "$(peak Turn)" -ge 2
stop m

# 4. a failed job keeps its place: A's oldest job fails once; its retry
# comes before A's younger jobs (by mtime, the old order, it went last)
claims() { awk '/-> processing/ { print $3 }' "$T/$1.err"; }
rm -f "$SPOOL"/queued/* "$SPOOL"/completed/* "$SPOOL"/out/*
turn_types workers=1
cat >> "$CONF" <<CONF

[type Flaky]
command = $EXP/flaky 2
emits = csv
CONF
many 1 f A Flaky 0
many 5 a A Turn 1
rm "$SPOOL/queued/a0.job"
daemon r
ok "retry: all 5 complete" wait_for 60 sh -c "[ \$(ls '$SPOOL/completed' | grep -c job) -eq 5 ]"
is "$(claims r | tr '\n' ' ')" "f0 a1 f0 a2 a3 a4 " \
    "the failed job's retry is taken before its client's younger jobs"
stop r

# 5. a restart keeps the order: stopped after three claims, the next
# node takes the rest in the order xspool list showed before it started
: > "$log"
rm -f "$SPOOL"/queued/* "$SPOOL"/completed/* "$SPOOL"/out/*
turn_types workers=1 "weights=1, A:2"
many 6 a A Turn 0.5
many 6 b B Turn 0.5
daemon s1
ok "three started" wait_for 30 sh -c "[ \$(grep -c '^start' '$log') -ge 3 ]"
stop s1
xspool -c "$CONF" list | awk 'NR > 1 { print $1 }' > "$T/list"
left=$(wc -l < "$T/list")
daemon s2
ok "after the restart the rest complete" wait_for 60 sh -c "[ \$(ls '$SPOOL/completed' | grep -c job) -eq 12 ]"
claims s2 > "$T/ran"
ok "the restarted node took the $left left in the listed order" diff -u "$T/list" "$T/ran"
stop s2
done_testing
