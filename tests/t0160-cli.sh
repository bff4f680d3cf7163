#!/bin/sh
# t0160 - usage and exit statuses, -V and --version (of the three
# programs), the progress bar of wait on a terminal (and none on a pipe),
# concurrent submits.
. "$(dirname "$0")/lib.sh"

cli_setup

xspool > /dev/null 2> "$T/err"
is "$?" 2 "no command: exit 2"
ok "prints a usage" grep -q '^usage: xspool' "$T/err"
$X frobnicate > /dev/null 2> "$T/err"
is "$?" 2 "unknown command: exit 2"
ok "names it" grep -q 'frobnicate: unknown command' "$T/err"
$X status > /dev/null 2>&1
is "$?" 2 "status without an id: exit 2"
$X status a b > /dev/null 2>&1
is "$?" 2 "status with two ids: exit 2"
for p in xspool xspoold xspool-httpd; do
	for o in -V --version; do
		ok "$p $o prints the version" \
		    sh -c "$p $o | grep -Eq '^$p [0-9]+\.[0-9]+'"
	done
done

# wait: a progress line on a terminal, nothing on a pipe
id=$($X submit T)
mkdir -p "$SPOOL/processing/n1"
mv "$SPOOL/queued/$id.job" "$SPOOL/processing/n1/$id.job"
(sleep 0.6; mv "$SPOOL/processing/n1/$id.job" "$SPOOL/completed/$id.job") &
script -qec "$X wait $id" /dev/null > "$T/tty" 2>&1
is "$?" 0 "wait on a terminal: exit 0"
ok "draws a progress line" grep -q 'PROCESSING' "$T/tty"
ok "redrawn in place" grep -q "$(printf '\r')" "$T/tty"
$X wait "$id" > "$T/pipe" 2> "$T/pipe.err"
is "$(cat "$T/pipe")" COMPLETED "on a pipe: only the final state"
is "$(wc -c < "$T/pipe.err")" 0 "on a pipe: no progress line"

# 20 submits at once: 20 distinct jobs, nothing left in tmp/
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	$X submit T -P n=$i >> "$T/ids" &
done
wait
is "$(sort -u "$T/ids" | wc -l)" 20 "20 concurrent submits, 20 ids"
is "$(ls "$SPOOL/queued" | wc -l)" 20 "20 files in queued/"
is "$(ls "$SPOOL/tmp" | wc -l)" 0 "nothing left in tmp/"

# a file written straight into queued/ is a job too once whole
printf '{"type": "T", "format": "CSV"}\n' > "$SPOOL/queued/direct-1.job"
ok "written in place: listed" sh -c "$X list | grep -q '^direct-1 '"
ok "written in place: cancellable" $X cancel direct-1
done_testing
