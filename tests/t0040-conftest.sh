#!/bin/sh
# t0040 - xspoold -t and xspool-httpd -t check the configuration as the
# user they run as, like nginx -t: exit 0 and an "ok" line when all is
# well, else exit 1 and one line per problem: a config that does not
# parse, a missing or non-executable exporter, a missing xspool-sql for a
# SQL type, an unreadable sqlite database, a missing spool or spool
# directory, a spool this user cannot write, a missing, unreadable or
# malformed keys file, unreadable TLS files.  Nothing is created.
. "$(dirname "$0")/lib.sh"

# copies the other user can run; no xspool-sql beside them
mkdir -p "$T/inst/bin" "$T/exp"
cp "$BIN/xspoold" "$BIN/xspool-httpd" "$T/inst/bin/"
printf '#!/bin/sh\necho a\n' > "$T/exp/good"
chmod 755 "$T/exp/good"
printf '#!/bin/sh\necho a\n' > "$T/exp/noexec"
chmod 644 "$T/exp/noexec"
mkconf <<CONF
[type Good]
command = $T/exp/good
CONF
mkdir -p "$SPOOL"

# t NAME PROG [WANT_RC] : PROG -t on $CONF, output in $T/NAME
t() {
	"$2" -t -c "$CONF" > "$T/$1" 2>&1
	_rc=$?
	sed "s/^/# $1: /" "$T/$1"
	return $_rc
}
has() { grep -qF -- "$2" "$T/$1"; }
lines() { wc -l < "$T/$1" | tr -d ' '; }

t d0 xspoold
is "$?" 0 "xspoold -t: a good config with the spool to be made: exit 0"
ok "...says ok" has d0 "xspoold: $CONF: the configuration is ok"
ok "...made nothing" test ! -e "$SPOOL/queued"
t h0 xspool-httpd
is "$?" 1 "xspool-httpd -t: no spool directories, no keys: exit 1"
ok "...names a missing spool directory" \
    has h0 "xspool-httpd: spool $SPOOL/queued: missing"
ok "...and the missing keys file" \
    has h0 "xspool-httpd: keys $T/keys: missing: no client can authenticate"
xspool -c "$CONF" key add erp > /dev/null
xspool -c "$CONF" list > /dev/null	# makes the spool's directories
t h1 xspool-httpd
is "$?" 0 "xspool-httpd -t once the spool and a key exist: exit 0"
is "$(lines h1)" 1 "...one line"
ok "...saying ok" has h1 "the configuration is ok"

echo "garbage" >> "$T/keys"
t h2 xspool-httpd
is "$?" 1 "a malformed keys file: exit 1"
ok "...named with its line" has h2 "xspool-httpd: keys $T/keys:"
sed -i '/^garbage/d' "$T/keys"

cat >> "$CONF" <<CONF

[type Missing]
command = $T/exp/missing

[type NoExec]
command = $T/exp/noexec

[type Sql]
database = sqlite:$T/nodb.sqlite
query = SELECT 1
CONF
t d1 "$T/inst/bin/xspoold"
is "$?" 1 "xspoold -t with bad exporters: exit 1"
ok "a missing command" \
    has d1 "xspoold: [type Missing] command $T/exp/missing: No such file"
ok "a command that is not executable" \
    has d1 "xspoold: [type NoExec] command $T/exp/noexec: not executable"
ok "a SQL type without xspool-sql beside xspoold" \
    has d1 "xspoold: [type Sql] exporter $T/inst/bin/xspool-sql: No such file"
ok "an sqlite database that is not there" \
    has d1 "xspoold: [type Sql] database $T/nodb.sqlite: No such file"
nok "the good type is not named" has d1 "[type Good]"
is "$(lines d1)" 4 "one line per problem"
t h3 "$T/inst/bin/xspool-httpd"
is "$?" 0 "xspool-httpd -t does not check exporters"

printf '[spool]\nworkers = lots\n' > "$T/bad.conf"
for p in xspoold xspool-httpd; do
	"$p" -t -c "$T/bad.conf" > "$T/out" 2>&1
	is "$?" 1 "$p -t: a config that does not parse: exit 1"
	is "$(grep -c "^$p: $T/bad.conf:2: workers" "$T/out")" 1 \
	    "...one line, FILE:LINE: reason"
done

# TLS files
echo "tls_cert = $T/cert.pem" > "$T/tls"
echo "tls_key = $T/key.pem" >> "$T/tls"
sed -i "/^\[http\]/r $T/tls" "$CONF"
t h4 xspool-httpd
is "$?" 1 "missing TLS files: exit 1"
ok "...tls_cert named" has h4 "xspool-httpd: tls_cert $T/cert.pem: No such file"
ok "...tls_key named" has h4 "xspool-httpd: tls_key $T/key.pem: No such file"
sed -i '/^tls_/d' "$CONF"

# as another user: a spool, keys it cannot reach (root runs the copies
# as uid 65534)
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	N="setpriv --reuid=65534 --regid=65534 --clear-groups"
	chmod 755 "$T" "$T/inst" "$T/inst/bin" "$T/exp"
	chmod 644 "$CONF"
	sed -i '/^\[type Missing\]/,$d' "$CONF"
	chmod 755 "$SPOOL"
	$N "$T/inst/bin/xspoold" -t -c "$CONF" > "$T/n1" 2>&1
	is "$?" 1 "xspoold -t as uid 65534 on root's spool: exit 1"
	ok "...the spool is not writable by this user" \
	    has n1 "xspoold: spool $SPOOL: not writable by this user"
	is "$(lines n1)" 1 "...one line for it"
	$N "$T/inst/bin/xspool-httpd" -t -c "$CONF" > "$T/n2" 2>&1
	is "$?" 1 "xspool-httpd -t as uid 65534: exit 1"
	ok "...the keys file (0600, root's) is not readable by this user" \
	    has n2 "xspool-httpd: keys $T/keys: not readable by this user"
	sed -i "s|^dir = .*|dir = $T/nospool/spool|" "$CONF"
	mkdir -m 755 "$T/nospool"
	$N "$T/inst/bin/xspoold" -t -c "$CONF" > "$T/n3" 2>&1
	ok "xspoold -t: a missing spool this user cannot make" \
	    has n3 "spool $T/nospool/spool: missing, and this user cannot make it"
	sed 's/^/# /' "$T/n1" "$T/n2" "$T/n3"
else
	skip "another user's view" "needs root and setpriv"
fi
done_testing
