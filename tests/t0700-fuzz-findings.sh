#!/bin/sh
# t0700-fuzz-findings.sh - what the fuzzers (tests/fuzz/, make fuzz)
# found, through the real programs; t-fuzz-regress replays the inputs
# themselves through every fuzz target.
. "$(dirname "$0")/lib.sh"

# fuzz-config: "dir =" (an empty value) loaded with no spool directory,
# which xspool, xspoold and xspool-httpd then handed to spool_open
printf '[spool]\ndir =    ; a comment\n' > "$T/emptydir.conf"
xspool -c "$T/emptydir.conf" list > "$T/out" 2> "$T/err"
is "$?" 2 "an empty dir: xspool list exits 2"
ok "...saying FILE:2: dir: empty" grep -qF "$T/emptydir.conf:2: dir: empty" \
    "$T/err"
for prog in xspoold xspool-httpd; do
	timeout 10 "$prog" -f -c "$T/emptydir.conf" > "$T/out" 2> "$T/err"
	is "$?" 2 "an empty dir: $prog exits 2"
	ok "...saying FILE:2: dir: empty" \
	    grep -qF "$T/emptydir.conf:2: dir: empty" "$T/err"
done

done_testing
