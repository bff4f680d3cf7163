#!/bin/sh
# t0045 - the installed systemd units: Type=notify, ExecStartPre the
# installed program's -t on ExecStart's config, each scores 2.5 or
# better in systemd-analyze security --offline=yes, systemd-analyze verify
# finds nothing; the sysusers.d and tmpfiles.d files make the xspool user
# and the spool tree (0750 of it) and give it the config (0640 root:xspool)
# under --root, and a second run (a boot) leaves a [spool] group's 2770
# directories as they are; then the units' ExecStartPre commands (xspoold -t,
# xspool-httpd -t) pass as that user (after root's xspool key add), and
# fail naming the problem on a broken config.  Skipped without systemd-analyze.
. "$(dirname "$0")/lib.sh"

if ! command -v systemd-analyze > /dev/null; then
	echo "1..0 # SKIP no systemd-analyze"
	exit 0
fi
R=$T/root
inst() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" -o all "$@" DESTDIR="$R" PREFIX=/usr > "$T/make.out" 2>&1; }
inst install
is "$?" 0 "make install DESTDIR=... PREFIX=/usr"
U=$R/usr/lib/systemd/system

for u in xspoold xspool-httpd; do
	ok "$u.service: Type=notify" grep -q '^Type=notify$' "$U/$u.service"
	ok "$u.service: the spool writable under ProtectSystem=strict" \
	    grep -q '^ReadWritePaths=/var/spool/xspool$' "$U/$u.service"
	pre=$(sed -n 's/^ExecStartPre=//p' "$U/$u.service")
	start=$(sed -n 's/^ExecStart=//p' "$U/$u.service")
	is "$pre" "/usr/sbin/$u -t -c /etc/xspool/xspool.conf" \
	    "$u.service: ExecStartPre is the installed $u -t on the config"
	is "${pre%% *} -c ${pre##* -c }" "${start%% *} -c ${start##* -c }" \
	    "$u.service: ... the program and config ExecStart runs"
	ok "$u.service: ... which make install put there" test -x "$R${pre%% *}"
	systemd-analyze security --offline=yes "$U/$u.service" > "$T/$u.sec" 2>&1
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
	    "$T/$u.sec")
	diag "$u.service: exposure $score"
	ok "$u.service: exposure $score <= 2.5" \
	    awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 2.5) }'
	[ -n "$score" ] || sed 's/^/# /' "$T/$u.sec"
	# verify: the ExecStart programs must exist on this host
	sed "s|^\(ExecStart\(Pre\)\{0,1\}=\)/usr/sbin/|\1$R/usr/sbin/|" \
	    "$U/$u.service" > "$T/$u.service"
	systemd-analyze verify --man=no "$T/$u.service" > "$T/$u.ver" 2>&1
	is "$?:$(cat "$T/$u.ver")" "0:" "$u.service: systemd-analyze verify is silent"
done
# the shipped (uninstalled) units too
for f in "$TOP"/etc/systemd/*.service; do
	score=$(systemd-analyze security --offline=yes "$f" 2>&1 |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	ok "etc/systemd/${f##*/}: exposure $score <= 2.5" \
	    awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 2.5) }'
done

ok "sysusers.d file installed" test -f "$R/usr/lib/sysusers.d/xspool.conf"
ok "tmpfiles.d file installed" test -f "$R/usr/lib/tmpfiles.d/xspool.conf"
if [ "$(id -u)" != 0 ]; then
	skip "systemd-sysusers and systemd-tmpfiles under --root" "needs root"
	done_testing
	exit
fi
if ! command -v systemd-sysusers > /dev/null ||
    ! command -v systemd-tmpfiles > /dev/null; then
	skip "systemd-sysusers and systemd-tmpfiles under --root" \
	    "not installed"
	done_testing
	exit
fi
mkdir -p "$R/etc"
systemd-sysusers --root="$R" > "$T/sysusers.out" 2>&1
is "$?" 0 "systemd-sysusers --root"
xuid=$(awk -F: '$1 == "xspool" { print $3 }' "$R/etc/passwd")
xgid=$(awk -F: '$1 == "xspool" { print $3 }' "$R/etc/group")
ok "user and group xspool made ($xuid:$xgid)" test -n "$xuid" -a -n "$xgid"
ok "...its home the spool, no shell" grep -Eq \
    '^xspool:x:[0-9]+:[0-9]+:[^:]*:/var/spool/xspool:/(usr/)?s?bin/(nologin|false)$' \
    "$R/etc/passwd"
systemd-tmpfiles --create --root="$R" "$R/usr/lib/tmpfiles.d/xspool.conf" \
    > "$T/tmpfiles.out" 2>&1
is "$?" 0 "systemd-tmpfiles --create --root"
sed 's/^/# /' "$T/tmpfiles.out"
S=$R/var/spool/xspool
for d in "" /tmp /queued /processing /failed /completed /cancelled /out \
    /bad /nodes /notify; do
	is "$(stat -c '%a %u %g' "$S$d")" "750 $xuid $xgid" \
	    "/var/spool/xspool$d: 0750 xspool:xspool"
done
is "$(stat -c '%a %u %g' "$R/etc/xspool/xspool.conf")" "640 0 $xgid" \
    "/etc/xspool/xspool.conf: 0640 root:xspool"

# a [spool] group shared with another user: its 2770 directories are
# left as they are by the next run (a boot), a missing one made again,
# the config given back to root:xspool 0640
grep -q '^xshare:' "$R/etc/group" ||
    echo "xshare:x:4242:" >> "$R/etc/group"
for d in "" /tmp /queued /processing /failed /completed /cancelled /out \
    /bad /nodes /notify; do
	chgrp 4242 "$S$d" && chmod 2770 "$S$d"
done
rmdir "$S/bad"
chgrp 0 "$R/etc/xspool/xspool.conf"
chmod 644 "$R/etc/xspool/xspool.conf"
systemd-tmpfiles --create --root="$R" "$R/usr/lib/tmpfiles.d/xspool.conf" \
    > "$T/tmpfiles2.out" 2>&1
is "$?" 0 "systemd-tmpfiles --create --root again (a boot)"
sed 's/^/# /' "$T/tmpfiles2.out"
for d in "" /tmp /queued /processing /failed /completed /cancelled /out \
    /nodes /notify; do
	is "$(stat -c '%a %u %g' "$S$d")" "2770 $xuid 4242" \
	    "/var/spool/xspool$d: 2770 of the [spool] group, left as it was"
done
is "$(stat -c '%a %u %g' "$S/bad")" "750 $xuid $xgid" \
    "/var/spool/xspool/bad, removed: made again, 0750 xspool:xspool"
is "$(stat -c '%a %u %g' "$R/etc/xspool/xspool.conf")" "640 0 $xgid" \
    "/etc/xspool/xspool.conf: 0640 root:xspool again"

# the units' ExecStartPre commands, as that user, on the installed
# config (its paths moved under $R)
if ! command -v setpriv > /dev/null; then
	skip "the units' ExecStartPre as the xspool user" "no setpriv"
	done_testing
	exit
fi
chmod 755 "$T"
C=$R/etc/xspool/test.conf
sed -e "s|/usr/lib/xspool|$R/usr/lib/xspool|" -e "s|^dir = .*|dir = $S|" \
    -e "s|^keys = .*|keys = $R/etc/xspool/keys|" "$R/etc/xspool/xspool.conf" > "$C"
chgrp "$xgid" "$C"
chmod 640 "$C"
AS="setpriv --reuid=$xuid --regid=$xgid --clear-groups"
# pre UNIT CONF : the unit's ExecStartPre, its program under $R, on CONF
pre() {
	_cmd=$(sed -n 's/^ExecStartPre=//p' "$U/$1.service")
	# split on blanks as systemd does (no quotes in it)
	$AS $R${_cmd%% -c *} -c "$2"
}
pre xspoold "$C" > "$T/d.t" 2>&1
is "$?" 0 "xspoold's ExecStartPre as xspool: the installed exporters and spool pass"
sed 's/^/# /' "$T/d.t"
"$R/usr/bin/xspool" -c "$C" key add erp > /dev/null
is "$(stat -c '%u %a' "$R/etc/xspool/keys")" "$xuid 600" \
    "root's xspool key add: the keys file is the service user's"
pre xspool-httpd "$C" > "$T/h.t" 2>&1
is "$?" 0 "xspool-httpd's ExecStartPre as xspool: spool and keys pass"
sed 's/^/# /' "$T/h.t"
# broken: an exporter gone, the keys file unreadable by the service user
B=$R/etc/xspool/broken.conf
sed "0,\|^command = $R/usr/lib/xspool/exporters/|s||command = $R/nonexistent/|" \
    "$C" > "$B"
chgrp "$xgid" "$B"
chmod 640 "$B"
pre xspoold "$B" > "$T/d.b" 2>&1
is "$?" 1 "xspoold's ExecStartPre fails the start on a missing exporter"
ok "... naming it" grep -q "$R/nonexistent/.*No such file" "$T/d.b"
sed 's/^/# /' "$T/d.b"
chmod 600 "$R/etc/xspool/keys"
chown 0 "$R/etc/xspool/keys"
pre xspool-httpd "$C" > "$T/h.b" 2>&1
is "$?" 1 "xspool-httpd's ExecStartPre fails the start on a keys file it cannot read"
ok "... naming it" grep -q "$R/etc/xspool/keys" "$T/h.b"
sed 's/^/# /' "$T/h.b"
rm -f "$C" "$B"
done_testing
