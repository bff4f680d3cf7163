#!/bin/sh
# t0155 - root's xspool key add/disable/del keep the keys file readable by
# the service user: a new file gets the spool directory's owner (0600), an
# existing one keeps its owner, group and 0640; xspool-httpd running as
# that user (uid 65534) still reads it; with no spool yet, root is warned
# that the new file is root's.  Needs root and setpriv.
. "$(dirname "$0")/lib.sh"

other_users
SVC="setpriv --reuid=65534 --regid=65534 --clear-groups"
mkdir -p "$T/inst/bin" "$T/etc"
cp "$BIN/xspool" "$BIN/xspool-httpd" "$T/inst/bin/"
chmod -R a+rX "$T/inst"
if ! $SVC test -x "$T/inst/bin/xspool-httpd"; then
	echo "1..0 # SKIP $T is out of reach of other users"
	exit 0
fi
mkconf < /dev/null
sed -i "s|^keys = .*|keys = $T/etc/keys|" "$CONF"
chmod 644 "$CONF"
K=$T/etc/keys
# the spool belongs to the service user; /etc-like directory to root
mkdir -m 750 "$SPOOL"
chown 65534:65534 "$SPOOL"
$SVC "$T/inst/bin/xspool" -c "$CONF" list > /dev/null	# its layout

# identity TOKEN : the client xspool-httpd (as uid 65534) finds for TOKEN
identity() {
	rm -f "$T/run/port"
	bg httpd $SVC "$T/inst/bin/xspool-httpd" -f -c "$CONF" -p "$T/run/port"
	if ! wait_for 10 test -s "$T/run/port"; then
		sed 's/^/# /' "$T/httpd.err"
		return 1
	fi
	curl -s -H "X-Api-Key: $1" \
	    "http://127.0.0.1:$(cat "$T/run/port")/api/v1/Identity" | jq -r .client
	stop httpd
}

A=$(xspool -c "$CONF" key add erp)
ok "root's key add makes the file" test -n "$A" -a -f "$K"
is "$(stat -c %u:%g:%a "$K")" 65534:65534:600 \
    "a new keys file: the spool directory's owner, 0600"
is "$(identity "$A")" erp "xspool-httpd as uid 65534 reads it"

chown 0:65534 "$K"
chmod 640 "$K"
B=$(xspool -c "$CONF" key add ops)
is "$(stat -c %u:%g:%a "$K")" 0:65534:640 \
    "root's key add keeps an existing root:group 0640 file"
xspool -c "$CONF" key disable "${A%%.*}"
is "$(stat -c %u:%g:%a "$K")" 0:65534:640 "so does key disable"
is "$(identity "$B")" ops "xspool-httpd as uid 65534 reads it by its group"
xspool -c "$CONF" key del "${A%%.*}"
is "$(stat -c %u:%g:%a "$K")" 0:65534:640 "so does key del"
nok "the deleted key is gone" grep -q "^${A%%.*} " "$K"

is "$(stat -c %u:%a "$T/etc")" 0:755 "(the keys directory stays root's)"

# no spool yet: the file is root's, and root is told
sed -i "s|^dir = .*|dir = $T/nospool|; s|^keys = .*|keys = $T/etc/keys2|" "$CONF"
xspool -c "$CONF" key add erp > /dev/null 2> "$T/warn"
is "$(stat -c %u:%a "$T/etc/keys2")" 0:600 "no spool: a new keys file is root's"
ok "...with a warning naming the spool to make" \
    grep -q "keys2 is root's, mode 0600: a service .* cannot read it (make the spool $T/nospool" \
    "$T/warn"
done_testing
