#!/bin/sh
# t0420 - the result zip (pack.c) through xexport: 7z and bsdtar
# open it, AES-256 with the right password only, the level, the entry's
# name and time, and no file left behind when the data or the disk fails.
. "$(dirname "$0")/lib.sh"
X=$BIN/helpers/xexport
cd "$T" || exit 1
exec < /dev/null	# 7z and bsdtar ask for a missing password on stdin

# ~3 MB of CSV with UTF-8, quotes and commas
awk 'BEGIN { print "id,name,note"
	for (i = 1; i <= 60000; i++)
		printf "%d,Žluťoučký kůň %d,\"řádek, s \"\"uvozovkami\"\"\"\n", i, i }' > in.csv
no_tmp() { [ -z "$(ls -A "$1" | grep -v '^keep$')" ]; }

mkdir plain && touch plain/keep
ok "pack stdin, level 6" "$X" -z Data.csv plain/o.zip -l 6 < in.csv
ok "7z t passes" sh -c '7z t plain/o.zip > 7zt.log'
ok "7z x gives the exact data" sh -c '7z x -so plain/o.zip Data.csv | cmp - in.csv'
ok "bsdtar gives the exact data" sh -c 'bsdtar -xOf plain/o.zip | cmp - in.csv'
7z l -slt plain/o.zip > slt.txt
ok "one entry named Data.csv" test "$(grep -c '^Path = Data.csv$' slt.txt)" = 1
ok "deflated" grep -q '^Method = Deflate$' slt.txt
ok "entry time is today" grep -q "^Modified = $(date +%Y-%m-%d) " slt.txt
ok "only the zip is left in its directory" test "$(ls plain)" = "keep
o.zip"

XSPOOL_PARAM_rows=20000 "$TOP/etc/exporters/synthetic" > syn.jsonl
for l in 1 6 9; do
	"$X" -z Data.jsonl l$l.zip -l $l < syn.jsonl
done
"$X" -z Data.csv l0.zip -l 0 < in.csv
ok "level 1 > level 6 > level 9 in size (the level is applied)" \
    test "$(stat -c %s l1.zip)" -gt "$(stat -c %s l6.zip)" -a \
    "$(stat -c %s l6.zip)" -gt "$(stat -c %s l9.zip)"
ok "level 1 is marked fast" sh -c '7z l -slt l1.zip | grep -q "^Method = Deflate:Fast$"'
ok "level 9 is marked maximum" sh -c '7z l -slt l9.zip | grep -q "^Method = Deflate:Maximum$"'
ok "level 0 stores" sh -c '7z l -slt l0.zip | grep -q "^Method = Store$"'
ok "stored data round-trips" sh -c '7z x -so l0.zip | cmp - in.csv'

ok "pack with a password" "$X" -z Data.csv aes.zip -p 'Right pass, "ř"' < in.csv
ok "AES-256" sh -c '7z l -slt aes.zip | grep -q "^Method = AES-256 Deflate$"'
ok "7z x with the right password gives the exact data" \
    sh -c "7z x -so -p'Right pass, \"ř\"' aes.zip | cmp - in.csv"
nok "7z x with a wrong password fails" \
    sh -c '7z x -so -pWRONG aes.zip > wrong.out 2>/dev/null'
nok "the wrong password does not give the data" cmp -s wrong.out in.csv
ok "bsdtar --passphrase opens it" \
    sh -c "bsdtar --passphrase 'Right pass, \"ř\"' -xOf aes.zip | cmp - in.csv"
nok "bsdtar with a wrong password does not" \
    sh -c 'bsdtar --passphrase WRONG -xOf aes.zip < /dev/null > /dev/null 2>&1'
nok "the data is not in the file in clear" grep -q 'Žluťoučký' aes.zip

# failures leave nothing: a read error, an existing file, a full disk
mkdir fail && touch fail/keep
nok "a read error fails the zip" sh -c "'$X' -z Data.csv fail/r.zip -F 100000 < in.csv 2> r.err"
ok "no zip and no temporary file after a read error" no_tmp fail
echo precious > fail/e.zip
nok "an existing file is not overwritten" sh -c "'$X' -z Data.csv fail/e.zip < in.csv 2> e.err"
is "$(cat fail/e.zip)" precious "the existing file is untouched"
grep -q 'File already exists' e.err
ok "the error says it exists" test $? = 0
rm fail/e.zip
nok "a full disk (file size limit) fails the zip" sh -c \
    "trap '' XFSZ; ulimit -f 200; exec '$X' -z Data.csv fail/f.zip -l 0 < in.csv 2> f.err"
ok "the error names the write failure" grep -qi 'write\|large\|space' f.err
ok "no zip and no temporary file after a full disk" no_tmp fail

# the pipeline: an export through export_run with a password
mkconf <<CONF
[type Synthetic]
command = $TOP/etc/exporters/synthetic
emits = jsonl
formats = JSON,CSV
CONF
ok "export_run with a password" sh -c "'$X' -c '$CONF' Synthetic JSON exp.zip -p s3cret -P rows=5000 > exp.out 2> exp.err"
is "$(grep '^fileSizeBytes' exp.out)" "fileSizeBytes $(stat -c %s exp.zip)" \
    "fileSizeBytes is the zip's size"
is "$(7z l -slt exp.zip | grep '^Path = S')" "Path = Synthetic.json" \
    "the entry is TYPE.json"
ok "it opens with the password and holds 5000 records" sh -c \
    "7z x -so -ps3cret exp.zip | /usr/bin/python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 5000'"

done_testing
