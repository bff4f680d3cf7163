#!/bin/sh
# t0150 - xspool key add/list/disable/enable/del; the keys file is mode
# 0600 and holds no secret; bad input is exit 2, an unknown key exit 1.
. "$(dirname "$0")/lib.sh"

cli_setup
K=$T/keys

tok=$($X key add erp)
is "$?" 0 "key add: exit 0"
ok "prints KeyId.Secret" sh -c "echo '$tok' | grep -Eq '^[0-9a-f]{16}\.[0-9a-f]{32}$'"
kid=${tok%%.*}
sec=${tok#*.}
ok "keys file made" test -f "$K"
is "$(stat -c %a "$K")" 600 "keys file mode 0600"
nok "the secret is not in the keys file" grep -q "$sec" "$K"
ok "the KeyId is" grep -q "^$kid erp user enabled " "$K"
$X key list > "$T/list"
nok "key list never shows the secret" grep -q "$sec" "$T/list"
is "$(awk -v k="$kid" '$1 == k { print $2, $3, $4, $5 }' "$T/list")" \
    "erp user enabled -" "key list: client, rights, state, allow-list"

tok2=$($X key add ops --admin --allow 127.0.0.1,10.0.0.0/8,::1)
kid2=${tok2%%.*}
is "$($X key list | awk -v k="$kid2" '$1 == k { print $2, $3, $5 }')" \
    "ops admin 127.0.0.1,10.0.0.0/8,::1" "--admin and --allow kept"
ok "two keys, different ids" test "$kid" != "$kid2"

$X key disable "$kid"
is "$($X key list | awk -v k="$kid" '$1 == k { print $4 }')" disabled "disable"
$X key enable "$kid"
is "$($X key list | awk -v k="$kid" '$1 == k { print $4 }')" enabled "enable"
$X key del "$kid"
is "$?" 0 "del: exit 0"
nok "del removes the key" grep -q "^$kid " "$K"
ok "the other key stays" grep -q "^$kid2 " "$K"
is "$(stat -c %a "$K")" 600 "still mode 0600 after rewriting"

$X key del "$kid" > /dev/null 2>&1
is "$?" 1 "del of an unknown key: exit 1"
$X key disable 0123456789abcdef > /dev/null 2>&1
is "$?" 1 "disable of an unknown key: exit 1"
$X key add "two words" > /dev/null 2>&1
is "$?" 2 "client name with a space: exit 2"
$X key add x --allow 10.0.0.0/99 > /dev/null 2>&1
is "$?" 2 "bad allow-list: exit 2"
$X key frob > /dev/null 2>&1
is "$?" 2 "unknown key command: exit 2"
$X key add > /dev/null 2>&1
is "$?" 2 "key add without a name: exit 2"
is "$(grep -vc '^#' "$K")" 1 "refused commands changed nothing"

if [ "$(id -u)" = 0 ]; then
	chown 65534:65534 "$K"
	$X key add again > /dev/null
	is "$(stat -c %u:%g:%a "$K")" 65534:65534:600 \
	    "root's key add keeps the keys file's owner"
else
	skip "root's key add keeps the keys file's owner" "needs root"
fi

line=$(($(wc -l < "$K") + 1))
echo "garbage line" >> "$K"
$X key list > /dev/null 2> "$T/err"
is "$?" 2 "malformed keys file: exit 2"
ok "names the line" grep -q "keys:$line:" "$T/err"
done_testing
