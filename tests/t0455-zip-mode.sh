#!/bin/sh
# t0455-zip-mode - the result zip the real daemon puts in out/ is 0600
# whatever its umask (022 made it 0644: readable by every local user),
# and 0640 of the [spool] group when one is set: a group the test user
# is in (as root, any number).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

if [ "$(id -u)" = 0 ]; then
	G=4242		# a number needs no /etc/group entry
else
	G=$(id -g)	# a supplementary group tells more, when there is one
	for g in $(id -G); do
		[ "$g" != "$(id -g)" ] && { G=$g; break; }
	done
fi

# zipmode UMASK [KEY=VALUE...] : a fresh spool and config ([spool] KEY =
# VALUE), one job run by xspoold under UMASK; prints "MODE GROUP" of its
# out/ID.zip ("none" when the job did not complete)
zipmode() {
	_u=$1; shift
	rm -rf "$SPOOL"
	types "$@" < /dev/null
	_id=$(umask "$_u"; xspool -c "$CONF" submit Ok)
	bg xspoold sh -c "umask $_u; exec xspoold -f -c '$CONF'"
	if wait_for 30 test -e "$SPOOL/completed/$_id.job"; then
		stat -c '%a %g' "$SPOOL/out/$_id.zip"
	else
		echo none
		sed 's/^/# /' "$T/xspoold.err" >&2
	fi
	stop xspoold
}

is "$(zipmode 022)" "600 $(id -g)" "umask 022: the zip is 0600"
is "$(zipmode 000)" "600 $(id -g)" "umask 000: the zip is still 0600"
is "$(zipmode 022 group=$G)" "640 $G" \
    "[spool] group = $G, umask 022: the zip is 0640 of that group"
is "$(zipmode 007 group=$G)" "640 $G" \
    "[spool] group = $G, umask 007: still 0640, not group-writable"
done_testing
