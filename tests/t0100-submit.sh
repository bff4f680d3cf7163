#!/bin/sh
# t0100 - xspool submit writes a job through tmp/ into queued/ (mode
# 0600) and prints its id; bad requests are refused with exit 2; a full
# spool with exit 75.
. "$(dirname "$0")/lib.sh"

cli_setup '[type OnlyCsv]' 'command = /bin/true' 'formats = CSV'
# a relay, so that e-mail is taken (nothing is sent: no daemon runs)
sed -i 's|^\[notify\]$|&\nsmtp = smtp://127.0.0.1:9|' "$CONF"

id=$($X submit T -f csv -e ops@example.com -w https://hooks.example.com/x \
    -P from=2026-01-01 -P to=2026-02-01 -p s3cret)
is "$?" 0 "submit exits 0"
f=$SPOOL/queued/$id.job
ok "id printed is a UUID" sh -c "echo '$id' | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'"
ok "job file in queued/" test -f "$f"
is "$(stat -c %a "$f")" 600 "job file mode 0600"
is "$(ls "$SPOOL/tmp" | wc -l)" 0 "nothing left in tmp/"
is "$(jfield "$f" '" ".join(map(str, (j["type"], j["format"], j["email"],
    j["callback"], j["params"]["from"], j["params"]["to"], j["password"],
    j["attempts"], "created" in j)))')" \
    "T CSV ops@example.com https://hooks.example.com/x 2026-01-01 2026-02-01 s3cret 0 True" \
    "job file holds the request"

id2=$(echo "from-stdin" | $X submit T -p -)
is "$(jfield "$SPOOL/queued/$id2.job" 'j["password"]')" from-stdin "-p - reads the password from stdin"
is "$(jfield "$SPOOL/queued/$id2.job" 'j["format"]')" JSON "format defaults to JSON"
nok "status never shows the password" sh -c "$X status $id2 | grep -q from-stdin"
nok "status --json never shows the password" sh -c "$X status $id2 --json | grep -q from-stdin"
nok "list --json never shows the password" sh -c "$X list --json | grep -q s3cret"

n0=$(ls "$SPOOL/queued" | wc -l)
bad() {	# bad DESCRIPTION ARGS... : exit 2, a message, nothing queued
	_desc=$1; shift
	$X submit "$@" > "$T/out" 2> "$T/err"
	is "$?" 2 "refused with exit 2: $_desc"
	ok "message for: $_desc" grep -Eq '^(xspool: |usage: )' "$T/err"
}
bad "unknown type" Nope
bad "type name with a slash" ../T
bad "format the type does not support" OnlyCsv -f json
bad "unknown format" T -f xml
bad "e-mail with CR/LF" T -e "$(printf 'a@example.com\r\nBcc: x@evil.com')"
bad "e-mail with LF" T -e "$(printf 'a@example.com\nx')"
bad "e-mail with a comma" T -e "a@example.com,b@example.com"
bad "callback ftp://" T -w ftp://example.com/x
bad "callback with userinfo" T -w http://u:p@example.com/
bad "-P bad name" T -P 1x=2
bad "-P without =" T -P name
bad "-P control character" T -P "a=$(printf 'x\001y')"
bad "no type" 
is "$(ls "$SPOOL/queued" | wc -l)" "$n0" "no job queued by the refused submits"
ok "unknown type message is clear" sh -c "$X submit Nope 2>&1 | grep -q 'unknown export type'"
ok "bad e-mail message is clear" sh -c "$X submit T -e 'a b@c.com' 2>&1 | grep -q 'e-mail'"

# a spool with less than min_free left refuses with 75
sed 's/^min_free = .*/min_free = 1000T/' "$CONF" > "$T/full.conf"
xspool -c "$T/full.conf" submit T > /dev/null 2> "$T/err"
is "$?" 75 "full spool: exit 75"
ok "full spool: says so" grep -q 'spool full' "$T/err"
is "$(ls "$SPOOL/queued" | wc -l)" "$n0" "full spool: nothing queued"

# root submitting into a spool owned by another user gives the file to
# that user (else a daemon running as it could not read a 0600 file)
if [ "$(id -u)" = 0 ]; then
	chown -R 65534:65534 "$SPOOL"
	id4=$($X submit T)
	is "$(stat -c %u:%g:%a "$SPOOL/queued/$id4.job")" 65534:65534:600 \
	    "root's submit: the file belongs to the spool's owner"
	rmdir "$SPOOL/notify"
	$X list > /dev/null
	is "$(stat -c %u "$SPOOL/notify")" 65534 \
	    "root's spool_open: a missing directory belongs to the spool's owner"
	chown -R 0:0 "$SPOOL"
else
	skip "root's submit: the file belongs to the spool's owner" "needs root"
	skip "root's spool_open: a missing directory belongs to the owner" \
	    "needs root"
fi

# Maildir's order: the tmp/ file synced before the rename, both directories
# after it; sync = no syncs nothing (strace shows the system calls; no
# LeakSanitizer under ptrace)
steps() {	# steps CONF : the submit's file-system steps, one word each
	ASAN_OPTIONS=detect_leaks=0 strace -f -o "$T/strace" -e trace=openat,fsync,fdatasync,rename,renameat,renameat2 \
	    xspool -c "$1" submit T > /dev/null || return
	awk '/O_CREAT/ && /\/tmp\// { printf "create " }
	    /fsync\(|fdatasync\(/ { printf "fsync " }
	    /rename/ && /= 0$/ { printf "rename " }
	    /O_DIRECTORY/ && /\/spool\/(queued|tmp)"/ {
		sub(/.*\/spool\//, ""); sub(/".*/, ""); printf "dir-%s ", $0 }' \
	    "$T/strace"
}
if command -v strace > /dev/null; then
	is "$(steps "$CONF")" \
	    "create fsync rename dir-queued fsync dir-tmp fsync " \
	    "submit: file fsync, rename, then fsync of queued/ and tmp/"
	sed 's/^min_free = .*/&\nsync = no/' "$CONF" > "$T/nosync.conf"
	is "$(steps "$T/nosync.conf")" "create rename " "sync = no: no fsync"
else
	skip "submit: file fsync, rename, directory fsyncs" "no strace"
	skip "sync = no: no fsync" "no strace"
fi

# config from $XSPOOL_CONF; a bad config is exit 2
id3=$(XSPOOL_CONF=$CONF xspool submit T)
ok "XSPOOL_CONF names the config" test -f "$SPOOL/queued/$id3.job"
xspool -c "$T/nonexistent.conf" list > /dev/null 2>&1
is "$?" 2 "missing config: exit 2"
printf '[spool]\nbogus = 1\n' > "$T/bad.conf"
xspool -c "$T/bad.conf" list > /dev/null 2> "$T/err"
is "$?" 2 "bad config: exit 2"
ok "bad config: FILE:LINE" grep -q 'bad.conf:2' "$T/err"
done_testing
