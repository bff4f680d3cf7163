#!/bin/sh
# t0120 - cancel moves only a queued job to cancelled/; retry
# puts a cancelled (attempts reset) or failed job back in queued/; bad ids
# touch nothing.
. "$(dirname "$0")/lib.sh"

cli_setup
snap() { (cd "$SPOOL" && find . | sort && cat $(find . -type f | sort)) | md5sum; }

id=$($X submit T)
$X cancel "$id"
is "$?" 0 "cancel of a queued job: exit 0"
ok "the file is in cancelled/" test -f "$SPOOL/cancelled/$id.job"
ok "and not in queued/" test ! -e "$SPOOL/queued/$id.job"
is "$(jfield "$SPOOL/cancelled/$id.job" 'j["cancelledBy"]')" \
    user "the file says it was cancelled by a user"
ok "status says CANCELLED" sh -c "$X status $id | grep -Eq '^state: +CANCELLED'"
$X cancel "$id" 2> "$T/err"
is "$?" 1 "cancel of a cancelled job: exit 1"
ok "cancel says why" grep -q 'only a queued job' "$T/err"

# not cancellable: processing, completed, failed; the file stays put
mkdir -p "$SPOOL/processing/n1"
for where in processing/n1 completed failed; do
	j=$($X submit T)
	mv "$SPOOL/queued/$j.job" "$SPOOL/$where/$j.job"
	before=$(snap)
	$X cancel "$j" > /dev/null 2>&1
	is "$?" 1 "cancel of a job in $where: exit 1"
	is "$(snap)" "$before" "cancel of a job in $where: spool untouched"
done
$X cancel no-such-job > /dev/null 2>&1
is "$?" 1 "cancel of an unknown job: exit 1"

# retry a cancelled job: queued again, attempts and result cleared
$py - "$SPOOL/cancelled/$id.job" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p))
j["attempts"] = 3
j["result"] = {"success": False, "errors": ["exporter exited 1"]}
j["finished"] = "2026-01-01T00:00:00Z"
json.dump(j, open(p, "w"))
PY
$X retry "$id"
is "$?" 0 "retry of a cancelled job: exit 0"
ok "back in queued/" test -f "$SPOOL/queued/$id.job"
ok "no longer in cancelled/" test ! -e "$SPOOL/cancelled/$id.job"
is "$(jfield "$SPOOL/queued/$id.job" 'j.get("attempts", 0), "result" in j, "finished" in j')" \
    "(0, False, False)" "attempts reset, result and finish time cleared"

# retry a failed job: queued now, attempts kept
f=$($X submit T)
mv "$SPOOL/queued/$f.job" "$SPOOL/failed/$f.job"
$py - "$SPOOL/failed/$f.job" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p))
j["attempts"] = 1
j["nextAttempt"] = "2099-01-01T00:00:00Z"
json.dump(j, open(p, "w"))
PY
$X retry "$f"
is "$?" 0 "retry of a failed job: exit 0"
is "$(jfield "$SPOOL/queued/$f.job" 'j.get("attempts"), "nextAttempt" in j')" \
    "(1, False)" "failed job queued now, attempts kept"

q=$($X submit T)
before=$(snap)
$X retry "$q" > /dev/null 2>&1
is "$?" 1 "retry of a queued job: exit 1"
is "$(snap)" "$before" "retry of a queued job: spool untouched"

# ids that try to leave the spool change nothing
mkdir -p "$T/outside"
echo '{"type": "T"}' > "$T/outside/x.job"
echo '{"type": "T"}' > "$SPOOL/x.job"
before=$(snap)
for bad in ../x ../../outside/x a/b ../queued/$q . .. ''; do
	for cmd in status cancel retry; do
		$X $cmd "$bad" > /dev/null 2>&1
		is "$?" 2 "$cmd refuses id '$bad'"
	done
done
is "$(snap)" "$before" "nothing touched by bad ids"
ok "the outside file is still there" test -f "$T/outside/x.job"
done_testing
