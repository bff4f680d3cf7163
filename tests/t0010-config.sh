#!/bin/sh
# t0010 - a bad config file is refused by every program with
# FILE:LINE: reason and exit status 2; relative paths follow the current
# directory; the shipped etc/xspool.conf loads; a secret's file
# (webhook_secret_file) is refused when others may read it.
. "$(dirname "$0")/lib.sh"

# refused NAME LINE REASON : `xspool -c $T/NAME list` exits 2 and says
# "$T/NAME:LINE: ...REASON" on stderr (LINE empty: no line number)
refused() {
	_f=$T/$1
	xspool -c "$_f" list > "$T/out" 2> "$T/err"
	_rc=$?
	is "$_rc" 2 "$1: xspool list exits 2"
	if [ -n "$2" ]; then
		_want="$_f:$2: "
	else
		_want="$_f: "
	fi
	ok "$1: stderr says $_want...$3" grep -qF "$_want" "$T/err"
	ok "$1: ...and the reason" grep -qF "$3" "$T/err"
	[ -s "$T/out" ] && diag "stdout: $(cat "$T/out")"
	return 0
}

printf '[spool]\ndir = %s\n\n[spool]\nbogus = 1\n' "$SPOOL" > "$T/unknown.conf"
refused unknown.conf 5 "unknown key bogus"

printf '[spool]\ndir = %s\nworkers = 2\nlease = ten\n' "$SPOOL" > "$T/value.conf"
refused value.conf 4 "lease: bad value"

printf '; types\n[type Good]\ncommand = /bin/cat\n\n[type NoCmd]\nemits = csv\n' \
    > "$T/nocmd.conf"
refused nocmd.conf 5 "[type NoCmd] has no command"

printf '[type A]\ncommand = /bin/cat\nemits = xml\n' > "$T/emits.conf"
refused emits.conf 3 "emits"

printf '[spool]\n[bogus]\n' > "$T/section.conf"
refused section.conf 2 "unknown section [bogus]"

refused missing.conf "" "No such file"

mkdir "$T/dir.conf"
refused dir.conf "" "Is a directory"

# the daemons refuse a bad config the same way, before anything else
for prog in xspoold xspool-httpd; do
	timeout 10 "$prog" -f -c "$T/value.conf" > "$T/out" 2> "$T/err"
	is "$?" 2 "$prog -c BAD exits 2"
	ok "$prog -c BAD says FILE:LINE: reason" \
	    grep -qF "$T/value.conf:4: lease: bad value" "$T/err"
done

# secrets from files: one not readable by others is used, one that is
# readable by others is refused
printf 'whsec_QUJDRA==\n' > "$T/wh"
chmod 644 "$T/wh"
printf '[spool]\ndir = %s\n[notify]\nwebhook_secret_file = %s\n' \
    "$SPOOL" "$T/wh" > "$T/open.conf"
refused open.conf 4 "webhook_secret_file: $T/wh is readable by others"
chmod 640 "$T/wh"
xspool -c "$T/open.conf" list > /dev/null 2> "$T/err"
is "$?" 0 "webhook_secret_file of mode 0640: loads"
printf 'not base64!\n' > "$T/wh"
refused open.conf 4 "webhook_secret: not base64"

# a good config works
mkconf < /dev/null
xspool -c "$CONF" list > /dev/null
is "$?" 0 "a good config: xspool list exits 0"
ok "...and makes the spool it names" test -d "$SPOOL/queued"

# relative paths are taken from the current directory, not the file's
mkdir -p "$T/work/rel" "$T/etc/rel"
printf '[spool]\ndir = rel/spool\nnode = n1\n' > "$T/etc/rel.conf"
(cd "$T/work" && xspool -c ../etc/rel.conf list) > /dev/null 2> "$T/err"
[ -s "$T/err" ] && diag "stderr: $(cat "$T/err")"
ok "relative dir resolved against the current directory" \
    test -d "$T/work/rel/spool/queued"
ok "...not against the config file's directory" \
    test ! -e "$T/etc/rel/spool"

# the shipped config loads (its spool is ./spool: run it in $T/ship)
mkdir "$T/ship"
(cd "$T/ship" && xspool -c "$TOP/etc/xspool.conf" list) > "$T/out" 2> "$T/err"
is "$?" 0 "etc/xspool.conf loads: xspool list exits 0"
[ -s "$T/err" ] && diag "stderr: $(cat "$T/err")"
ok "...its spool is ./spool" test -d "$T/ship/spool/queued"

done_testing
