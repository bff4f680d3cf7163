#!/bin/sh
# t0450 - every malformed input kind of tests/golden
# (bad-*), and a CSV record and a JSON Lines line over 16 MiB, through the
# real daemon: the attempt fails with the converter's named error in the
# job's result, and no zip is left in out/ or tmp/.  A good golden input
# in the same run completes with the exact golden output in its zip, and
# one with a password gives an AES-256 entry that 7z and bsdtar open with
# it and only with it; [spool] zip_level and a type's level are applied.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/exporters/daemon.sh"
G=$TOP/tests/golden
cd "$T" || exit 1

# golden EXT : writes the golden input named by the job's "case" parameter
cat > golden <<SH
#!/bin/sh
exec cat "$G/\$XSPOOL_PARAM_case.in.\$1"
SH
# huge csv|jsonl : a record with a 17 MB value (over the 16 MiB limit)
cat > huge <<'SH'
#!/bin/sh
if [ "$1" = csv ]; then printf 'a,b\n1,'; else printf '{"a":1}\n{"a":"'; fi
head -c 17000000 /dev/zero | tr '\0' x
if [ "$1" = csv ]; then printf '\n2,y\n'; else printf '"}\n'; fi
SH
chmod +x golden huge

# one type per case (each may have its own columns); max_attempts = 1
# sends the job to cancelled/ after its one failed attempt
{
	for in_ in "$G"/bad-*.in.*; do
		b=${in_%.in.*}
		n=${b##*/}
		ext=${in_##*.in.}
		echo "[type T_$(echo "$n" | tr - _)]"
		echo "command = $T/golden $ext"
		echo "emits = $ext"
		echo "formats = JSON,CSV"
		[ -f "$b.columns" ] && echo "columns = $(cat "$b.columns")"
		echo
	done
	printf '[type Huge]\ncommand = %s/huge csv\nemits = csv\nformats = JSON,CSV\n\n' "$T"
	printf '[type HugeL]\ncommand = %s/huge jsonl\nemits = jsonl\nformats = JSON,CSV\n\n' "$T"
	printf '[type Good]\ncommand = %s/golden csv\nemits = csv\nformats = JSON,CSV\n' "$T"
	echo "columns = $(cat "$G/typed.columns")"
	printf '[type Stored]\ncommand = %s/golden csv\nemits = csv\nformats = CSV\nlevel = 0\n' "$T"
} | mkconf
sed -i 's/^max_attempts = .*/max_attempts = 1\nzip_level = 1/' "$CONF"
daemon d

: > ids
for in_ in "$G"/bad-*.in.*; do
	b=${in_%.in.*}
	n=${b##*/}
	fmts=JSON
	[ -f "$b.columns" ] || fmts="JSON CSV"	# typing is for JSON only
	for f in $fmts; do
		id=$(xspool -c "$CONF" submit "T_$(echo "$n" | tr - _)" -f $f \
		    -P case="$n")
		echo "$id $n $f" >> ids
	done
done
hid=$(xspool -c "$CONF" submit Huge -f CSV)
lid=$(xspool -c "$CONF" submit HugeL -f JSON)
gid=$(xspool -c "$CONF" submit Good -f JSON -P case=typed)
pid=$(xspool -c "$CONF" submit Good -f CSV -P case=quotes -p 'Pa55, "ř"')
sid=$(xspool -c "$CONF" submit Stored -f CSV -P case=unicode)
ok "every bad case was submitted" test "$(wc -l < ids)" -ge 30

while read -r id n f; do
	ok "$n ($f): the attempt fails" wait_for 30 is_in "$id" cancelled
	is "$(field "$id" '"\n".join(j["result"]["errors"])')" \
	    "attempt 1: $(cat "$G/$n.err")" "$n ($f): the job says why"
	is "$(field "$id" 'j["result"]["success"]')" False "$n ($f): success false"
	ok "$n ($f): no zip" test ! -e "$SPOOL/out/$id.zip"
done < ids

ok "a record over 16 MiB fails the attempt" wait_for 30 is_in "$hid" cancelled
is "$(field "$hid" '"\n".join(j["result"]["errors"])')" \
    "attempt 1: record 1, line 2: longer than 16 MiB" "the job says why"
ok "no zip for it" test ! -e "$SPOOL/out/$hid.zip"
ok "a JSON Lines line over 16 MiB fails the attempt" wait_for 30 is_in "$lid" cancelled
is "$(field "$lid" '"\n".join(j["result"]["errors"])')" \
    "attempt 1: record 2, line 2: longer than 16 MiB" "the job says why"

ok "a good input in the same run completes" wait_for 30 is_in "$gid" completed
7z x -so "$SPOOL/out/$gid.zip" Good.json > good.json 2>/dev/null
ok "its zip holds exactly the golden JSON" diff -u "$G/typed.out.json" good.json
is "$(field "$gid" 'j["result"]["records"]')" \
    "$(($(wc -l < "$G/typed.out.json") - 2))" "result.records counts its records"
is "$(field "$gid" 'j["result"]["fileName"], j["result"]["fileSizeBytes"]')" \
    "('Good.json', $(stat -c %s "$SPOOL/out/$gid.zip"))" \
    "result.fileName is the entry, fileSizeBytes the zip's size"
is "$(7z l -slt "$SPOOL/out/$gid.zip" < /dev/null | grep -c '^Path = ')/$(7z l -slt "$SPOOL/out/$gid.zip" < /dev/null | grep -c '^Path = Good.json$')" \
    "2/1" "the zip holds one entry, TYPE.json (7z lists the archive too)"
ok "a job with a password completes" wait_for 30 is_in "$pid" completed
z=$SPOOL/out/$pid.zip
ok "7z t with the password" sh -c "7z t -p'Pa55, \"ř\"' '$z' < /dev/null > /dev/null"
ok "AES-256" sh -c "7z l -slt '$z' < /dev/null | grep -q '^Method = AES-256 Deflate'"
7z x -so -p'Pa55, "ř"' "$z" Good.csv < /dev/null > aes.csv 2>/dev/null
ok "7z x -pRIGHT gives the exact golden CSV" diff -u "$G/quotes.out.csv" aes.csv
nok "7z x -pWRONG fails" sh -c "7z x -so -pWRONG '$z' < /dev/null > wrong.csv 2>/dev/null"
nok "and does not give the data" cmp -s wrong.csv aes.csv
bsdtar --passphrase 'Pa55, "ř"' -xOf "$z" < /dev/null > bsd.csv 2>/dev/null
ok "bsdtar --passphrase RIGHT gives the exact golden CSV" cmp bsd.csv "$G/quotes.out.csv"
nok "bsdtar --passphrase WRONG fails" sh -c "bsdtar --passphrase WRONG -xOf '$z' < /dev/null > /dev/null 2>&1"
nok "without a password 7z does not give the data" sh -c \
    "7z x -so '$z' < /dev/null 2>/dev/null | cmp -s - '$G/quotes.out.csv'"
ok "the password is gone from the job file" sh -c \
    "! grep -q Pa55 '$(find "$SPOOL/completed" -name "$pid.job")'"
# levels: [spool] zip_level = 1 for Good, the type's level = 0 for Stored
ok "the stored job completes" wait_for 30 is_in "$sid" completed
ok "zip_level = 1 in [spool] applies" sh -c \
    "7z l -slt '$SPOOL/out/$gid.zip' < /dev/null | grep -q '^Method = Deflate:Fast\$'"
ok "a type's level = 0 stores" sh -c \
    "7z l -slt '$SPOOL/out/$sid.zip' < /dev/null | grep -q '^Method = Store\$'"
ok "and the stored entry is the exact golden CSV" sh -c \
    "7z x -so '$SPOOL/out/$sid.zip' < /dev/null | cmp - '$G/unicode.out.csv'"
ok "nothing left in tmp/" test -z "$(find "$SPOOL/tmp" -type f)"
stop d
done_testing
