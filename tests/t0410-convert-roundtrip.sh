#!/bin/sh
# t0410 - the converter against a reference parser:
# python3's csv and json modules read back what xconvert wrote from
# generated awkward inputs (quotes, commas, CR/LF inside fields, spaces,
# non-ASCII, emoji, control characters, empty cells, nested values) and
# find the records they read from the input.
. "$(dirname "$0")/lib.sh"
X=$BIN/helpers/xconvert
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

cat > "$T/gen.py" <<'EOF'
# gen.py csv|jsonl OUT: awkward records, a fixed seed
import csv, json, random, sys
r = random.Random(4)
atoms = ['', ' ', 'a', 'x,y', 'say "hi"', '"', 'line\nbreak', 'cr\rlf\r\n',
         '  lead', 'trail ', 'Dvořák', 'Žluťoučký kůň', '😀 emoji', '\t',
         '\x01ctl', 'back\\slash', '{"not":"json"}', '0', '-1.5', 'null']
def text():
    return ''.join(r.choice(atoms) for _ in range(r.randint(0, 3)))
if sys.argv[1] == 'csv':
    names = ['id', 'name', 'note, with comma', 'poznámka', 'q"uote']
    with open(sys.argv[2], 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator=r.choice(['\n', '\r\n']),
                       quoting=csv.QUOTE_MINIMAL)
        w.writerow(names)
        for i in range(3000):
            w.writerow([str(i)] + [text() for _ in names[1:]])
else:
    keys = ['id', 'name', 'n', 'nested', 'flag', 'ž']
    with open(sys.argv[2], 'w', encoding='utf-8', newline='') as f:
        for i in range(3000):
            rec = {'id': i, 'name': text(), 'n': r.choice([0, -1.25, 1e21, 7]),
                   'nested': r.choice([[1, "a,b"], {"k": text()}, [], None]),
                   'flag': r.choice([True, False, None]), 'ž': text()}
            ks = keys[:]
            if i > 0:
                r.shuffle(ks)
                ks = ks[:r.randint(0, len(ks))]
            obj = {k: rec[k] for k in ks}
            f.write(json.dumps(obj, ensure_ascii=bool(i % 2),
                               separators=(',', ':')) + '\n')
EOF

cat > "$T/check.py" <<'EOF'
# check.py MODE IN OUT: compare xconvert's OUT with what python reads in IN
import csv, json, sys
mode, src, out = sys.argv[1:4]
def csv_rows(p):
    with open(p, newline='', encoding='utf-8') as f:
        return [row for row in csv.reader(f, strict=True) if row]
def jsonl(p):
    with open(p, encoding='utf-8') as f:
        return [json.loads(l) for l in f if l.strip()]
def cell(v):
    if v is None:
        return ''
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(',', ':'), ensure_ascii=False)
if mode == 'csv-json':
    rows = csv_rows(src)
    want = [dict(zip(rows[0], row)) for row in rows[1:]]
    with open(out, encoding='utf-8') as f:
        got = json.load(f)
    ok = got == want and all(list(g) == rows[0] for g in got)
elif mode == 'csv-csv':
    ok = csv_rows(out) == csv_rows(src)
elif mode == 'jsonl-json':
    with open(out, encoding='utf-8') as f:
        got = json.load(f)
    want = jsonl(src)
    ok = got == want and [list(g) for g in got] == [list(w) for w in want]
elif mode == 'jsonl-csv':
    recs = jsonl(src)
    head = list(recs[0])
    want = [head] + [[cell(r[k]) if k in r else '' for k in head]
                     for r in recs]
    got = csv_rows(out)
    # nested values: the same JSON, whatever the escaping of non-ASCII
    nc = head.index('nested')
    def norm(row):
        return row[:nc] + [json.loads(row[nc]) if row[nc] else ''] + \
            row[nc + 1:]
    ok = got[0] == head and \
        [norm(r) for r in got[1:]] == [norm(r) for r in want[1:]]
elif mode == 'json-jsonl':
    with open(src, encoding='utf-8') as f:
        recs = json.load(f)
    with open(out, 'w', encoding='utf-8') as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    ok = True
sys.exit(0 if ok else 1)
EOF

$PY "$T/gen.py" csv "$T/in.csv"
$PY "$T/gen.py" jsonl "$T/in.jsonl"

ok "CSV -> JSON converts" sh -c "'$X' csv JSON < '$T/in.csv' > '$T/o.json'"
ok "CSV -> JSON: python's json reads the records python's csv reads" \
    $PY "$T/check.py" csv-json "$T/in.csv" "$T/o.json"
ok "CSV -> CSV converts" sh -c "'$X' csv CSV < '$T/in.csv' > '$T/o.csv'"
ok "CSV -> CSV: python's csv reads the same rows from both" \
    $PY "$T/check.py" csv-csv "$T/in.csv" "$T/o.csv"
ok "CSV -> CSV output is CRLF-terminated" \
    sh -c "head -1 '$T/o.csv' | od -c | grep -q '\\\\r  *\\\\n'"
ok "CSV -> JSON -> JSONL -> CSV gives the input's records back" sh -c "
    $PY '$T/check.py' json-jsonl '$T/o.json' '$T/back.jsonl' &&
    '$X' jsonl CSV < '$T/back.jsonl' > '$T/back.csv' &&
    $PY '$T/check.py' csv-csv '$T/in.csv' '$T/back.csv'"
ok "JSONL -> CSV converts" sh -c "'$X' jsonl CSV < '$T/in.jsonl' > '$T/j.csv'"
ok "JSONL -> CSV: python's csv reads the input's values" \
    $PY "$T/check.py" jsonl-csv "$T/in.jsonl" "$T/j.csv"
ok "JSONL -> JSON converts" \
    sh -c "'$X' jsonl JSON < '$T/in.jsonl' > '$T/j.json'"
ok "JSONL -> JSON: the same objects, keys in the same order" \
    $PY "$T/check.py" jsonl-json "$T/in.jsonl" "$T/j.json"

# the checks can fail: a changed cell is noticed
sed '5s/,/;/' "$T/o.csv" > "$T/bad.csv"
nok "the CSV check notices a changed row" \
    $PY "$T/check.py" csv-csv "$T/in.csv" "$T/bad.csv"
done_testing
