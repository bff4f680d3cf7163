#!/bin/sh
# t0405 - the converter's fast path for plain CSV rows
# against libcsv: fed in 64 KiB reads, whole rows are split by the fast
# path; fed a byte at a time (XCONVERT_CHUNK=1) they all go through libcsv.
# Output, error message and exit status must be the same, on awkward
# generated files (quotes, "", line breaks, CR, CRLF, blank lines, empty
# cells, non-ASCII, long cells) and on small files with one edge each.
. "$(dirname "$0")/lib.sh"
X=$BIN/helpers/xconvert
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

# agree IN FMT [CHUNK] : the same stdout, stderr and status, fed in
# read(2)'s chunks and fed CHUNK bytes at a time (default 1)
agree() {
	"$X" csv "$2" < "$1" > "$T/a.out" 2> "$T/a.err"
	_ra=$?
	XCONVERT_CHUNK=${3:-1} "$X" csv "$2" < "$1" > "$T/b.out" 2> "$T/b.err"
	_rb=$?
	[ "$_ra" -eq "$_rb" ] || { echo "# exit $_ra, byte by byte $_rb"; return 1; }
	cmp -s "$T/a.err" "$T/b.err" || { diff -u "$T/b.err" "$T/a.err"; return 1; }
	cmp "$T/a.out" "$T/b.out"
}

cat > "$T/gen.py" <<'EOF'
# gen.py OUT ROWS SEED: awkward CSV, quoted only when needed
import random, sys
out, rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
atoms = ['', ' ', 'a', 'x,y', 'say "hi"', '"', '""', 'line\nbreak',
         'cr\rlf\r\n', 'lone\rcr', '  lead', 'trail ', 'Dvořák', '😀',
         '\t', '\x01ctl', 'back\\slash', 'del\x7f', '0', '-1.5',
         'w' * 300, 'v' * 3000]
def quote(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s
def cell():
    return quote(''.join(r.choice(atoms) for _ in range(r.randint(0, 3))))
names = ['id', 'name', 'note, with comma', 'poznámka', 'q"uote']
eol = r.choice(['\n', '\r\n'])
with open(out, 'w', newline='', encoding='utf-8') as f:
    f.write(','.join(quote(n) for n in names) + eol)
    for i in range(rows):
        f.write(','.join([str(i)] + [cell() for _ in names[1:]]))
        f.write(r.choice([eol, eol, eol, eol + eol, eol + '\r\n']))
EOF

for seed in 1 2 3; do
	$PY "$T/gen.py" "$T/g$seed.csv" 3000 $seed
	for fmt in JSON CSV; do
		ok "generated file $seed ($(wc -c < "$T/g$seed.csv") bytes), $fmt out: the same fed whole" \
		    agree "$T/g$seed.csv" $fmt
	done
	ok "generated file $seed: the same fed 4093 bytes at a time" \
	    agree "$T/g$seed.csv" JSON 4093
done
ok "the generated files convert (and are not all errors)" \
    sh -c "'$X' csv JSON < '$T/g1.csv' > /dev/null"

# one edge each; the rows around it plain, so that the fast path meets it
i=0
while IFS='|' read -r what fmt_; do
	i=$((i + 1))
	printf "$fmt_" > "$T/e$i.csv"
	for fmt in JSON CSV; do
		ok "$what, $fmt out: the same fed whole" \
		    agree "$T/e$i.csv" $fmt
	done
done <<'EOF'
quoted cells with "" and LF|a,b\n1,2\n"x ""q"" y","l1\nl2"\n3,4\n
the same with CRLF|a,b\r\n1,2\r\n"x ""q"" y","l1\r\nl2"\r\n3,4\r\n
lone CR line ends|a,b\r1,2\r3,4\r
one lone CR among LFs|a,b\n1,2\r3,4\n
a CR inside an unquoted cell|a,b\n1,x\ry\n5,6\n
a CR after a closing quote|a,b\n1,"x"\ry\n5,6\n
blank CRLF, CR and LF lines|a,b\n1,"x"\r\n\r\n\n5,6\n
blank lines, no last newline|a,b\n1,2\n\r\n\r\n3,4
empty cells, quoted or not|a,b,c\n,,\n"",,""\n,"",\n
no last newline|a,b\n1,2\n3,4
an unterminated quote|a,b\n1,2\n3,"4
text after a closing quote|a,b\n1,2\n3,"x"y\n
a quote in an unquoted cell|a,b\n1,2\n3,x"y\n
a space after a closing quote|a,b\n1,2\n3,"x" \n
invalid UTF-8 unquoted|a,b\n1,2\n3,\351\n
invalid UTF-8 quoted|a,b\n1,2\n"\351",3\n
too few cells|a,b\n1,2\n3\n4,5\n
too many cells|a,b\n1,2\n3,4,5\n
a trailing comma|a,b\n1,2\n3,4,\n
a line break in a first cell|a,b\n1,2\n"3\n4"\n
a row of two empty cells|a,b\n1,2\n,\n
quoted and unquoted cells mixed|a,b\n1,"2"\n"3",4\n"",""\n
backslashes|a,b\n1,\\\\,\n
control characters and DEL|a,b\n1,\t\001\177\n
EOF

# long cells: longer than a read, quoted or not, and one over the limit
{ printf 'a,b\n1,2\n3,"'; head -c 300000 /dev/zero | tr '\0' x;
  printf '""\n""'; head -c 100000 /dev/zero | tr '\0' y; printf '"\n4,5\n'; } \
    > "$T/long.csv"
ok "a 400 KB quoted cell with \"\" and a line break: the same fed whole" \
    agree "$T/long.csv" JSON
{ printf 'a,b\n1,2\n3,'; head -c 17000000 /dev/zero | tr '\0' x; printf '\n'; } \
    > "$T/huge.csv"
ok "a 17 MB row: the same error fed whole and 65535 bytes at a time" \
    agree "$T/huge.csv" JSON 65535
ok "which is: longer than 16 MiB" \
    grep -qx 'xconvert: record 2, line 3: longer than 16 MiB' "$T/a.err"
done_testing
