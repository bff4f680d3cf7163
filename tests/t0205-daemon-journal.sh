#!/bin/sh
# t0205 - when stderr is the journal ($JOURNAL_STREAM names its device and
# inode, as systemd sets it) xspoold and xspool-httpd start each log line
# with its <N> level (7 debug, 6 info, 4 warning, 3 error, 2 fatal) and
# no time;
# without $JOURNAL_STREAM, or when it names another file, lines are as
# before (a time first, no level).
. "$(dirname "$0")/lib.sh"

mkconf < /dev/null
# journal NAME COMMAND... : run with stderr to $T/NAME.err, which
# $JOURNAL_STREAM names; in the background as bg does
journal() {
	_j=$1; shift
	: > "$T/$_j.err"
	JOURNAL_STREAM=$(stat -c %d:%i "$T/$_j.err") bg "$_j" "$@"
}
# levels FILE : the distinct <N> prefixes of FILE's lines, sorted
levels() { sed -n 's/^<\([0-7]\)>.*/\1/p' "$1" | sort -u | tr -d '\n'; }

journal d xspoold -f -d -c "$CONF"
ok "xspoold started" wait_for 10 grep -q "started" "$T/d.err"
sed -i 's/^workers = .*/workers = lots/' "$CONF"
kill -HUP "$(pid_of d)"
ok "a refused reload is logged" wait_for 10 grep -q "reload refused" "$T/d.err"
stop d
is "$(grep -c '^<6>xspoold: started: ' "$T/d.err")" 1 "info: <6>xspoold: ..."
ok "warning: <4>" grep -q '^<4>xspoold: reload refused' "$T/d.err"
ok "debug (-d): <7>" grep -q '^<7>xspoold: ' "$T/d.err"
is "$(grep -vc '^<[0-7]>xspoold: ' "$T/d.err")" 0 \
    "every line has a level and no time"
sed 's/^/# /' "$T/d.err"

mkconf < /dev/null
: > "$T/f.err"
JOURNAL_STREAM=$(stat -c %d:%i "$T/f.err") \
    xspoold -f -n 'bad/node' -c "$CONF" 2>> "$T/f.err"
ok "a fatal error exits non-zero" test $? -ne 0
ok "fatal: <2> (journalctl -p err shows it)" grep -q '^<[0-3]>xspoold: ' "$T/f.err"
sed 's/^/# /' "$T/f.err"

printf '[spool]\nworkers = lots\n' > "$T/bad.conf"
for prog in xspoold xspool-httpd; do
	: > "$T/c.err"
	JOURNAL_STREAM=$(stat -c %d:%i "$T/c.err") \
	    $prog -f -c "$T/bad.conf" 2>> "$T/c.err"
	is "$?" 2 "$prog: a refused config exits 2"
	ok "$prog: ...logged as an error: <3>" \
	    grep -q "^<3>$prog: $T/bad.conf:2: workers" "$T/c.err"
done

journal h xspool-httpd -f -c "$CONF" -p "$T/port"
ok "xspool-httpd started" wait_for 10 test -s "$T/port"
stop h
ok "xspool-httpd: <6> lines" grep -q '^<6>xspool-httpd: serving' "$T/h.err"

# not the journal: no prefix
bg p xspoold -f -c "$CONF"
ok "without JOURNAL_STREAM: started" wait_for 10 grep -q "started" "$T/p.err"
stop p
is "$(levels "$T/p.err")" "" "without JOURNAL_STREAM: no <N>"
ok "...a time first" grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T.* xspoold: started' \
    "$T/p.err"
: > "$T/other"
JOURNAL_STREAM=$(stat -c %d:%i "$T/other") bg q xspoold -f -c "$CONF"
ok "JOURNAL_STREAM of another file: started" wait_for 10 grep -q "started" \
    "$T/q.err"
stop q
is "$(levels "$T/q.err")" "" "stderr is not the stream it names: no <N>"
done_testing
