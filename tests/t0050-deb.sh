#!/bin/sh
# t0050 - dpkg-buildpackage -us -uc -b, on a copy of the tree in $T, builds
# xspool and xspool-sql; lintian finds no error; the packages hold what
# xspool(7) says (the config a conffile 0640 with no active export type,
# units, sysusers and tmpfiles files, completions, openapi.yaml, libpq
# only in xspool-sql).  As root, with no xspool installed: dpkg -i makes
# the user, the spool and the keys file, the installed programs work as
# user xspool; installing again keeps an edited config and the keys;
# dpkg --remove keeps the config, keys and spool, dpkg --purge leaves
# none of the packages' files.
. "$(dirname "$0")/lib.sh"

case $BIN in
*/asan)	echo "1..0 # SKIP the packages are built from the sources, not bin/asan"
	exit 0 ;;
esac
for c in dpkg-buildpackage dh lintian; do
	if ! command -v $c > /dev/null 2>&1; then
		echo "1..0 # SKIP no $c (.ci/deps.sh installs dpkg-dev debhelper lintian)"
		exit 0
	fi
done

# the tree as git knows it (with uncommitted edits), never bin/ or build/
S=$T/src
mkdir "$S"
if git -C "$TOP" rev-parse --git-dir > /dev/null 2>&1; then
	git -C "$TOP" ls-files -z --cached --others --exclude-standard |
	    (cd "$TOP" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null)
else
	(cd "$TOP" && tar --exclude=./bin --exclude=./build --exclude=./spool \
	    -cf - .)
fi | tar -C "$S" -xf -
ok "the copied tree has debian/rules" test -x "$S/debian/rules"

(cd "$S" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" \
    dpkg-buildpackage -us -uc -b) > "$T/build.out" 2>&1
is "$?" 0 "dpkg-buildpackage -us -uc -b: exit 0"
version=$(cd "$S" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
D=$T/xspool_${version}_$arch.deb
DS=$T/xspool-sql_${version}_$arch.deb
ok "built xspool_${version}_$arch.deb" test -s "$D"
ok "built xspool-sql_${version}_$arch.deb" test -s "$DS"
if [ ! -s "$D" ] || [ ! -s "$DS" ]; then
	diag "$(tail -n 20 "$T/build.out")"
	done_testing
	exit
fi
lintian "$D" "$DS" > "$T/lintian.out" 2>&1
is "$(grep -c '^E:' "$T/lintian.out")" 0 "lintian: no error"
grep '^[EW]:' "$T/lintian.out" | while read -r l; do diag "$l"; done

# ------------------------------------------------------------ contents
dpkg-deb -c "$D" | awk '{ print $1, $2, $6 }' > "$T/files"
dpkg-deb -c "$DS" | awk '{ print $6 }' > "$T/sqlfiles"
for f in usr/bin/xspool usr/sbin/xspoold usr/sbin/xspool-httpd; do
	ok "xspool: executable /$f" grep -q "^-rwxr-xr-x root/root \./$f\$" \
	    "$T/files"
done
for f in usr/share/man/man1/xspool.1.gz usr/share/man/man5/xspool.conf.5.gz \
    usr/share/man/man7/xspool.7.gz usr/share/man/man8/xspoold.8.gz \
    usr/share/man/man8/xspool-httpd.8.gz usr/share/xspool/openapi.yaml \
    lib/systemd/system/xspoold.service \
    lib/systemd/system/xspool-httpd.service \
    usr/lib/sysusers.d/xspool.conf usr/lib/tmpfiles.d/xspool.conf \
    usr/share/bash-completion/completions/xspool \
    usr/share/zsh/vendor-completions/_xspool \
    usr/lib/xspool/exporters/synthetic; do
	ok "xspool: /$f" grep -q " \./$f\$" "$T/files"
done
nok "xspool: no xspool-sql" grep -q 'xspool-sql' "$T/files"
ok "the config is 0640 (its group is set by postinst)" grep -q \
    '^-rw-r----- root/root \./etc/xspool/xspool.conf$' "$T/files"
mkdir "$T/ctl" "$T/x"
dpkg-deb -e "$D" "$T/ctl"
dpkg-deb -x "$D" "$T/x"
is "$(cat "$T/ctl/conffiles")" /etc/xspool/xspool.conf \
    "the config is the conffile"
for s in postinst postrm; do
	ok "$s: sh -n" sh -n "$T/ctl/$s"
done
C=$T/x/etc/xspool/xspool.conf
is "$(grep -c '^[[:space:]]*\[type' "$C")" 0 "no export type is active"
ok "the demo types are there, commented out" grep -q '^;\[type Synthetic\]$' "$C"
ok "the unit runs the installed daemon on the installed config" grep -q \
    '^ExecStart=/usr/sbin/xspoold -f -c /etc/xspool/xspool.conf$' \
    "$T/x/lib/systemd/system/xspoold.service"
for f in xspool xspool-sql; do
	dpkg-deb -f "$T/${f}_${version}_$arch.deb" Depends > "$T/$f.dep"
done
ok "xspool-sql: /usr/sbin/xspool-sql" grep -qx './usr/sbin/xspool-sql' \
    "$T/sqlfiles"
ok "xspool-sql: its man page" grep -qx \
    './usr/share/man/man8/xspool-sql.8.gz' "$T/sqlfiles"
ok "xspool-sql depends on libpq5 and libsqlite3-0" grep -q \
    'libpq5.*libsqlite3-0\|libsqlite3-0.*libpq5' "$T/xspool-sql.dep"
nok "xspool does not" grep -q 'libpq\|libsqlite' "$T/xspool.dep"
ok "xspool-sql depends on the same xspool" grep -q \
    "xspool (= $version)" "$T/xspool-sql.dep"

# the packaged config loads (paths moved to $T), the packaged CLI runs
sed -e "s|^dir = .*|dir = $SPOOL|" -e "s|^keys = .*|keys = $T/keys|" \
    "$C" > "$CONF"
"$T/x/usr/bin/xspool" -c "$CONF" list > /dev/null 2> "$T/err"
is "$?" 0 "the packaged config loads"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
is "$("$T/x/usr/bin/xspool" -V)" "xspool $version" \
    "the packaged xspool says the package's version"

# ------------------------------------------------------------ install
# known PACKAGE : installed, or its config files still there
known() {
	case $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) in
	""|*not-installed) return 1 ;;
	esac
}
why=""
if [ "$(id -u)" -ne 0 ]; then
	why="not root"
elif known xspool || known xspool-sql || [ -e /etc/xspool ] ||
    [ -e /usr/bin/xspool ] || [ -e /usr/sbin/xspoold ]; then
	why="xspool is installed here already (dpkg --purge xspool-sql xspool)"
fi
if [ -n "$why" ]; then
	skip "dpkg -i, the programs installed, dpkg --purge" "$why"
	done_testing
	exit
fi

# mydpkg OUT ARGS... : dpkg, again while another dpkg or apt holds its lock
mydpkg() {
	_o=$1; shift
	_i=0
	while :; do
		DEBIAN_FRONTEND=noninteractive dpkg "$@" > "$_o" 2>&1 < /dev/null
		_r=$?
		grep -q 'lock' "$_o" && [ "$_i" -lt 120 ] || return $_r
		_i=$((_i + 1))
		sleep 1
	done
}
mydpkg "$T/install.out" -i "$D" "$DS"
is "$?" 0 "dpkg -i xspool xspool-sql: exit 0"
[ -s "$T/install.out" ] && grep -i 'error\|warning' "$T/install.out" |
    while read -r l; do diag "$l"; done
ok "the user xspool exists" eval "getent passwd xspool > /dev/null"
ok "the spool is xspool's" test "$(stat -c %U:%G /var/spool/xspool 2>&1)" = \
    xspool:xspool
is "$(stat -c '%a %U:%G' /etc/xspool/xspool.conf 2>&1)" "640 root:xspool" \
    "the config: 0640 root:xspool"
is "$(stat -c '%a %U' /etc/xspool/keys 2>&1)" "600 xspool" \
    "an empty keys file, the user's"
is "$(/usr/bin/xspool -V)" "xspool $version" "installed xspool -V"
/usr/sbin/xspoold -t -c /etc/xspool/xspool.conf > "$T/t.out" 2>&1
rc=$?
if grep -q 'invalid option' "$T/t.out"; then
	skip "xspoold -t on the installed config" "no -t in this xspoold"
else
	is "$rc" 0 "xspoold -t on the installed config"
	[ "$rc" -ne 0 ] && diag "$(cat "$T/t.out")"
fi
AS_XSPOOL="setpriv --reuid=xspool --regid=xspool --init-groups"
$AS_XSPOOL /usr/bin/xspool -c /etc/xspool/xspool.conf list > /dev/null \
    2> "$T/err"
is "$?" 0 "user xspool reads the config and the spool"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
token=$(/usr/bin/xspool -c /etc/xspool/xspool.conf key add t0050 2>/dev/null)
is "$(stat -c %U /etc/xspool/keys 2>&1)" xspool \
    "root's xspool key add keeps the keys file the user's"
# xspool-httpd as user xspool (as its unit runs it) takes that key
R=$T/run
mkdir "$R" && chown xspool "$R" && chmod o+x "$T"
sed "s|^listen = .*|listen = 127.0.0.1:0|" /etc/xspool/xspool.conf > "$R/conf"
chmod 644 "$R/conf"
if ! $AS_XSPOOL test -r "$R/conf"; then
	skip "xspool-httpd as user xspool" "it cannot reach $T (TMPDIR)"
elif bg httpd $AS_XSPOOL /usr/sbin/xspool-httpd -f -c "$R/conf" \
    -p "$R/port"; wait_for 20 test -s "$R/port"; then
	is "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $token" \
	    "http://127.0.0.1:$(cat "$R/port")/api/v1/Identity")" 200 \
	    "xspool-httpd as user xspool: the key root added is good"
else
	is "no port" "a port" "xspool-httpd as user xspool starts"
	diag "$(cat "$T/httpd.err")"
fi
[ -n "${PID_httpd:-}" ] && stop httpd

# a demo type uncommented, as the config says, works with xspool-sql
sed -e '/^;\[type Patients\]/,/^$/s/^;//' -e "s|^dir = .*|dir = $SPOOL|" \
    -e "s|^keys = .*|keys = $T/keys|" /etc/xspool/xspool.conf > "$CONF"
is "$(XSPOOL_PARAM_from=2026-04-01 /usr/sbin/xspool-sql -c "$CONF" \
    -t Patients 2>&1 | head -n 1 | cut -c 1-8)" '{"id":2,' \
    "a demo type uncommented: the installed xspool-sql queries the demo db"
is "$(bash -c '. /usr/share/bash-completion/completions/xspool;
    COMP_WORDS=(xspool sta); COMP_CWORD=1; _xspool; echo "${COMPREPLY[*]}"')" \
    status "the installed bash completion completes a command"

# installing again (an upgrade's path through postinst) keeps an edited
# config, the keys and their owners
echo "; edited by t0050" >> /etc/xspool/xspool.conf
mydpkg "$T/again.out" -i "$D" "$DS"
is "$?" 0 "dpkg -i again: exit 0"
ok "the edited config is kept" grep -q '^; edited by t0050$' \
    /etc/xspool/xspool.conf
is "$(stat -c '%a %U:%G' /etc/xspool/xspool.conf /etc/xspool/keys 2>&1 |
    tr '\n' ' ')" "640 root:xspool 600 xspool:xspool " \
    "the config and the keys keep their modes and owners"
ok "and the key" grep -q t0050 /etc/xspool/keys

dpkg -L xspool xspool-sql > "$T/owned" 2>&1
mydpkg "$T/remove.out" --remove xspool-sql xspool
is "$?" 0 "dpkg --remove xspool-sql xspool: exit 0"
ok "remove: the programs are gone" test ! -e /usr/bin/xspool -a \
    ! -e /usr/sbin/xspoold -a ! -e /usr/sbin/xspool-sql
ok "remove: the config, the keys and the spool stay" test -f \
    /etc/xspool/xspool.conf -a -f /etc/xspool/keys -a -d /var/spool/xspool
mydpkg "$T/purge.out" --purge xspool-sql xspool
is "$?" 0 "dpkg --purge xspool-sql xspool: exit 0"
[ -s "$T/purge.out" ] && grep -i 'error\|warning' "$T/purge.out" |
    grep -v "xspool-sql which isn't installed" | while read -r l; do diag "$l"; done
left=$(while read -r f; do [ -f "$f" ] && echo "$f"; done < "$T/owned")
is "$left" "" "no file of the packages is left"
for d in /etc/xspool /var/spool/xspool /usr/lib/xspool /usr/share/xspool; do
	ok "purge removed $d" test ! -e "$d"
done
nok "dpkg has neither any more" known xspool
nok "(xspool-sql)" known xspool-sql
done_testing
