#!/bin/sh
# t0140 - xspool check is quiet and exits 0 on a clean spool, and finds
# each inconsistency it claims to find (made by hand), exiting 1.
. "$(dirname "$0")/lib.sh"

cli_setup
# "fresh" must stay fresh on a loaded machine: a drop younger than
# drop_grace, a heartbeat younger than lease (mkconf's 2 s and 10 s)
sed -i -e 's/^drop_grace = .*/drop_grace = 10m/' -e 's/^lease = .*/lease = 10m/' "$CONF"

findings() { $X check > "$T/check"; echo $?; }
clean() {	# clean DESCRIPTION : check exits 0 again
	is "$(findings)" 0 "clean again after: $1"
}

$X submit T > /dev/null
is "$(findings)" 0 "clean spool: exit 0"
ok "clean spool: says so" grep -q consistent "$T/check"

# a job in two states
id=$($X submit T)
cp "$SPOOL/queued/$id.job" "$SPOOL/completed/$id.job"
is "$(findings)" 1 "job in two states: exit 1"
ok "names the job and both states" grep -q "two states: $id in queued and completed" "$T/check"
rm "$SPOOL/completed/$id.job"; clean "two states"
mkdir -p "$SPOOL/processing/n9"
touch "$SPOOL/nodes/n9"
cp "$SPOOL/queued/$id.job" "$SPOOL/processing/n9/$id.job"
mv "$SPOOL/queued/$id.job" "$SPOOL/failed/$id.job"
is "$(findings)" 1 "job in processing/NODE and failed/: exit 1"
ok "names the node directory" \
    grep -q "two states: $id in processing/n9 and failed" "$T/check"
is "$(wc -l < "$T/check")" 1 "one line for it"
rm "$SPOOL/processing/n9/$id.job"; mv "$SPOOL/failed/$id.job" "$SPOOL/queued/"
rm "$SPOOL/nodes/n9"; clean "two states (processing/NODE)"

# a job file that does not parse (a fresh drop in queued/ may be half
# written: only flagged after drop_grace)
printf '{"type": ' > "$SPOOL/queued/half.job"
clean "a fresh half-written drop"
touch -d '1 hour ago' "$SPOOL/queued/half.job"
is "$(findings)" 1 "an old unparseable drop: exit 1"
ok "names it" grep -q "unreadable job: queued/half.job" "$T/check"
mv "$SPOOL/queued/half.job" "$SPOOL/completed/half.job"
is "$(findings)" 1 "an unparseable completed job: exit 1"
ok "names it" grep -q "unreadable job: completed/half.job" "$T/check"
rm "$SPOOL/completed/half.job"; clean "unreadable job"

# an orphan zip; a zip of a completed or running job is fine
echo z > "$SPOOL/out/orphan-1.zip"
is "$(findings)" 1 "orphan zip: exit 1"
ok "names the zip" grep -q "orphan zip: out/orphan-1.zip" "$T/check"
rm "$SPOOL/out/orphan-1.zip"
mv "$SPOOL/queued/$id.job" "$SPOOL/completed/$id.job"
echo z > "$SPOOL/out/$id.zip"
clean "orphan zip (a completed job's zip is not one)"

# stale leases: a node directory holding a job, heartbeat missing or old
mkdir -p "$SPOOL/processing/lost"
p=$($X submit T)
mv "$SPOOL/queued/$p.job" "$SPOOL/processing/lost/$p.job"
is "$(findings)" 1 "lease without heartbeat: exit 1"
ok "names the node" grep -q "stale lease: processing/lost holds 1 job(s), no heartbeat" "$T/check"
touch -d '1 hour ago' "$SPOOL/nodes/lost"
is "$(findings)" 1 "lease with an old heartbeat: exit 1"
ok "says how old" grep -q "stale lease: processing/lost holds 1 job(s), heartbeat 1h old" "$T/check"
touch "$SPOOL/nodes/lost"
clean "stale lease (a fresh heartbeat)"
rm "$SPOOL/nodes/lost"
mv "$SPOOL/processing/lost/$p.job" "$SPOOL/queued/$p.job"
clean "stale lease (an empty node directory is no lease)"

# files in bad/
echo 'not json' > "$SPOOL/bad/drop.job"
echo 'not JSON at byte 0' > "$SPOOL/bad/drop.job.why"
is "$(findings)" 1 "file in bad/: exit 1"
ok "names it with its reason" grep -q "bad file: bad/drop.job: not JSON at byte 0" "$T/check"
rm "$SPOOL/bad/drop.job" "$SPOOL/bad/drop.job.why"; clean "bad file"

# old files in tmp/ (a fresh one is a writer at work)
touch "$SPOOL/tmp/fresh"
clean "a fresh tmp file"
touch -d '2 hours ago' "$SPOOL/tmp/stale"
is "$(findings)" 1 "old tmp file: exit 1"
ok "names it" grep -q "old tmp file: tmp/stale (2h old)" "$T/check"
rm "$SPOOL/tmp/stale" "$SPOOL/tmp/fresh"; clean "old tmp file"

# files not owned by the spool's owner (needs root to make one)
if [ "$(id -u)" = 0 ]; then
	chown 65534 "$SPOOL/queued/$p.job"
	is "$(findings)" 1 "file of another user: exit 1"
	ok "names it" grep -q "wrong owner: queued/$p.job (uid 65534" "$T/check"
	chown 0 "$SPOOL/queued/$p.job"; clean "wrong owner"
	# a node directory is checked once, whatever its jobs' ids
	mkdir -p "$SPOOL/processing/n2"
	touch "$SPOOL/nodes/n2"
	for j in a-1 c-1; do
		echo '{"type": "T"}' > "$SPOOL/processing/n2/$j.job"
	done
	echo '{"type": "T"}' > "$SPOOL/queued/b-1.job"
	chown 65534 "$SPOOL/processing/n2/c-1.job" "$SPOOL/processing"
	is "$(findings)" 1 "files of another user in processing/: exit 1"
	ok "names the job file in its node directory" \
	    grep -q "wrong owner: processing/n2/c-1.job (uid 65534" "$T/check"
	ok "names processing/ itself" \
	    grep -q "wrong owner: processing/ (uid 65534" "$T/check"
	is "$(wc -l < "$T/check")" 2 "each reported once"
	chown 0 "$SPOOL/processing/n2/c-1.job" "$SPOOL/processing"
	mkdir "$SPOOL/processing/idle"
	chown 65534 "$SPOOL/processing/idle"
	ok "a node directory without jobs is checked too" \
	    sh -c "$X check | grep -q 'wrong owner: processing/idle/ (uid 65534'"
	rm -r "$SPOOL/processing/n2" "$SPOOL/processing/idle" \
	    "$SPOOL/nodes/n2" "$SPOOL/queued/b-1.job"
	clean "wrong owner in processing/"
else
	skip "file of another user" "needs root"
	skip "names it" "needs root"
	skip "clean again" "needs root"
	skip "node directories: wrong owner" "needs root"
fi

# several findings, one line each
cp "$SPOOL/queued/$p.job" "$SPOOL/failed/$p.job"
echo z > "$SPOOL/out/orphan-2.zip"
echo x > "$SPOOL/bad/other"
is "$(findings)" 1 "several problems: exit 1"
is "$(wc -l < "$T/check")" 3 "one line per finding"
done_testing
