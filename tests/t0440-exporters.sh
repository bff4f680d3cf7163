#!/bin/sh
# t0440 - the demo exporters in etc/exporters: valid CSV and
# JSON Lines (python3's csv and json), every record of the data set, the
# from/to filters (inclusive), parameter errors, and each type through
# export_run into a zip in each format.
. "$(dirname "$0")/lib.sh"
E=$TOP/etc/exporters
X=$BIN/helpers/xexport
PY=/usr/bin/python3
cd "$T" || exit 1

# check.py KIND FILE DATEFIELD FROM TO: prints the number of records;
# fails on a parse error, a ragged row or a date outside [FROM, TO]
cat > check.py <<'PY'
import csv, json, sys
kind, path, field, lo, hi = sys.argv[1:6]
with open(path, encoding='utf-8', newline='') as f:
    if kind == 'csv':
        rows = list(csv.reader(f, strict=True))
        head = rows.pop(0)
        assert all(len(r) == len(head) for r in rows), 'ragged row'
        recs = [dict(zip(head, r)) for r in rows]
    elif kind == 'jsonl':
        recs = [json.loads(l) for l in f]
    else:
        recs = json.load(f)
for r in recs:
    assert isinstance(r, dict), 'not an object'
    if field != '-':
        d = str(r[field])[:10]
        assert (not lo or d >= lo) and (not hi or d <= hi), 'date %s' % d
print(len(recs))
PY
# tsv_count FILE COLUMN FROM TO: records of the data set in the range
tsv_count() {
	awk -F '\t' -v c="$2" -v lo="$3" -v hi="$4" '/^#/ { next }
	    { d = substr($c, 1, 10) }
	    (lo == "" || d >= lo) && (hi == "" || d <= hi) { n++ }
	    END { print n + 0 }' "$E/data/$1.tsv"
}

# name emits datafield tsvcolumn
for spec in patients:csv:registered:10 invoices:csv:issued:4 \
    appointments:jsonl:start:4 treatments:jsonl:date:4; do
	IFS=: read -r name kind field col <<EOF2
$spec
EOF2
	env -i PATH=/usr/bin:/bin "$E/$name" > $name.all 2> $name.err
	is "$?/$(cat $name.err)" "0/" "$name: exit 0, nothing on stderr"
	is "$($PY check.py $kind $name.all - '' '' 2>&1)" \
	    "$(tsv_count $name $col '' '')" "$name: valid $kind, every record"
	XSPOOL_PARAM_from=2026-03-01 XSPOOL_PARAM_to=2026-04-15 \
	    "$E/$name" > $name.range
	n=$(tsv_count $name $col 2026-03-01 2026-04-15)
	is "$($PY check.py $kind $name.range $field 2026-03-01 2026-04-15 2>&1)" \
	    "$n" "$name: from/to select $n records, all in range"
	# both ends inclusive: the first record's own day
	day=$(awk -F '\t' -v c=$col '!/^#/ { print substr($c, 1, 10); exit }' \
	    "$E/data/$name.tsv")
	XSPOOL_PARAM_from=$day XSPOOL_PARAM_to=$day "$E/$name" > $name.day
	n=$(tsv_count $name $col $day $day)
	is "$($PY check.py $kind $name.day $field $day $day 2>&1)" "$n" \
	    "$name: from = to = $day gives that day's $n records"
	XSPOOL_PARAM_from=2026-13 "$E/$name" > /dev/null 2> $name.bad
	is "$?/$(cat $name.bad)" \
	    "2/$name: parameter from is not a date (YYYY-MM-DD): 2026-13" \
	    "$name: a bad date is refused with a reason"
done

grep -q 'Řehoř' patients.all && grep -q 'Шевченко' patients.all
ok "non-ASCII names pass through" test $? = 0
is "$($PY -c 'import csv,sys; print(sum("\n" in r[10] for r in csv.reader(open(sys.argv[1], newline=""))))' patients.all)" \
    "$(grep -c '\\n' "$E/data/patients.tsv")" "notes with line breaks are quoted CSV"
ok "notes with quotes and commas" grep -q '"Prefers morning appointments, ""no calls"" after 6 pm"' patients.all
ok "nested arrays in treatments" grep -q '"materials":\["composite A2","bonding agent"\]' treatments.all
head -1 patients.all > head.csv
is "$(cat head.csv)" "id,first_name,last_name,birth_date,sex,email,phone,city,insurer,registered,note" \
    "patients: the header row"

XSPOOL_PARAM_rows=50000 "$E/synthetic" > syn.jsonl
is "$($PY check.py jsonl syn.jsonl - '' '')" 50000 "synthetic: rows=50000 valid records"
is "$(tail -1 syn.jsonl | cut -c1-13)" '{"id":50000,"' "synthetic: ids count up"
is "$("$E/synthetic" | wc -l)" 1000 "synthetic: 1000 rows by default"
XSPOOL_PARAM_rows=12x "$E/synthetic" > /dev/null 2> syn.bad
is "$?/$(cat syn.bad)" "2/synthetic: parameter rows is not a whole number: 12x" \
    "synthetic: a bad rows is refused"
XSPOOL_PARAM_fail_attempts=2 XSPOOL_ATTEMPT=2 "$E/synthetic" > syn.f2 2>/dev/null
is "$?/$(wc -c < syn.f2)" "1/0" "synthetic: fail_attempts=2 fails attempt 2"
XSPOOL_PARAM_fail_attempts=2 XSPOOL_ATTEMPT=3 XSPOOL_PARAM_rows=3 "$E/synthetic" > syn.f3
is "$?/$(wc -l < syn.f3)" "0/3" "synthetic: and succeeds on attempt 3"

# typ NAME COMMAND EMITS [LINE] : a type section allowing JSON and CSV
typ() {
	printf '[type %s]\ncommand = %s\nemits = %s\nformats = JSON,CSV\n' \
	    "$1" "$2" "$3"
	[ -z "${4:-}" ] || printf '%s\n' "$4"
}

# every type and format through export_run, as the daemon would
{
	typ Patients "$E/patients" csv "columns = id:int"
	typ Invoices "$E/invoices" csv \
	    "columns = patient_id:int,amount:number,vat_rate:number,paid:bool"
	typ Appointments "$E/appointments" jsonl
	typ Treatments "$E/treatments" jsonl
	typ Synthetic "$E/synthetic" jsonl
} | mkconf
for t in Patients Invoices Appointments Treatments Synthetic; do
	for f in JSON CSV; do
		"$X" -c "$CONF" $t $f $t-$f.zip -P from=2026-02-01 \
		    -P to=2026-06-30 > $t-$f.out 2> $t-$f.err
		is "$?/$(cat $t-$f.err)" "0/" "export_run $t $f succeeds"
		ext=$(echo $f | tr A-Z a-z)
		7z x -so $t-$f.zip $t.$ext > $t-$f.data 2>/dev/null
		kind=$ext; [ $f = JSON ] || kind=csv
		is "records $($PY check.py $kind $t-$f.data - '' '' 2>&1)" \
		    "$(grep '^records' $t-$f.out)" "$t.$ext in the zip parses with the record count"
	done
done
is "$($PY -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; print(type(r["amount"]).__name__, type(r["paid"]).__name__, type(r["patient_id"]).__name__)' Invoices-JSON.data)" \
    "float bool int" "typed CSV columns become JSON numbers and booleans"

# failed attempts through export_run: no zip, the right errors
cat > bad <<'SH'
#!/bin/sh
printf '{"a":1}\n{"a":2}\n{"a":\n'
SH
cat > crash <<'SH'
#!/bin/sh
printf '{"a":1}\n{"a":'
echo "database connection lost" >&2
exit 4
SH
cat > slow <<'SH'
#!/bin/sh
echo '{"a":1}'
sleep 30
SH
cat > forever <<'SH'
#!/bin/sh
while :; do echo '{"a":1}'; done
SH
chmod +x bad crash slow forever
{
	typ Bad "$T/bad" jsonl
	typ Crash "$T/crash" jsonl
	typ Slow "$T/slow" jsonl "timeout = 1s"
	typ Forever "$T/forever" jsonl
} >> "$CONF"
"$X" -c "$CONF" Bad JSON bad.zip > bad.out 2> bad.err
is "$?/$(wc -l < bad.err)" "1/1" "a malformed record fails the attempt with one error"
ok "the error names the record" grep -q 'record 3\|line 3' bad.err
ok "no zip after a malformed record" test ! -e bad.zip
"$X" -c "$CONF" Crash CSV crash.zip > crash.out 2> crash.err
printf '%s\n' "error: exporter exited with status 4" \
    "error: database connection lost" > crash.want
ok "an exporter that dies mid-record: its status and stderr, not a parse error" \
    diff -u crash.want crash.err
ok "no zip after the exporter failed" test ! -e crash.zip
"$X" -c "$CONF" Slow JSON slow.zip > slow.out 2> slow.err
is "$(head -1 slow.err)" "error: timed out after 1s" "the type's timeout applies"
ok "no zip after a timeout" test ! -e slow.zip
"$X" -c "$CONF" Forever JSON "$T/no/such/dir/f.zip" > f.out 2> f.err
is "$?" 1 "a zip that cannot be created fails the attempt"
ok "the error names the zip" grep -q "error: zip $T/no/such/dir/f.zip: " f.err
alive() { pgrep -f "$T/forever" | while read -r p; do
	ps -o stat= -p "$p"; done | grep -qv '^Z'; }
ok "and the exporter was killed" wait_for 2 eval '! alive'

# progress: every second (or 64 MiB) on the way, and at the end
cat > pace <<'SH'
#!/bin/sh
echo '{"a":1}'
sleep 1.2
echo '{"a":2}'
sleep 0.3
echo '{"a":3}'
SH
chmod +x pace
printf '[type Pace]\ncommand = %s\nemits = jsonl\nformats = JSON\n' \
    "$T/pace" >> "$CONF"
"$X" -v -c "$CONF" Pace JSON p.zip > p.out 2> p.err
is "$(cat p.err)" "progress 2 records 16 bytes
progress 3 records 24 bytes" "progress after a second, and at the end"

# the shipped etc/xspool.conf types end to end through the daemon: each
# type in each format it allows; a format it does not allow is refused
sed -n '/^\[type /,$p' "$TOP/etc/xspool.conf" |
    sed -e "s|^command = etc/|command = $TOP/etc/|" \
    -e "s|^database = sqlite:etc/|database = sqlite:$TOP/etc/|" | mkconf
awk '/^\[type /{ t = substr($2, 1, length($2) - 1) }
    /^formats *=/{ sub(/^formats *= */, ""); gsub(/,/, " "); print t, $0 }' \
    "$TOP/etc/xspool.conf" > shipped.types
ok "the shipped config has types" test -s shipped.types
. "$TOP/tests/exporters/daemon.sh"
daemon d
: > ids
while read -r t fmts; do
	for f in $fmts; do
		echo "$t $f $(xspool -c "$CONF" submit $t -f $f)" >> ids
	done
	for f in JSON CSV; do
		case " $fmts " in *" $f "*) continue ;; esac
		xspool -c "$CONF" submit $t -f $f > /dev/null 2>&1
		is $? 2 "submit $t -f $f (not in its formats) is refused"
	done
done < shipped.types
while read -r t f id; do
	ok "shipped $t as $f completes" wait_for 20 is_in "$id" completed
	ext=$(echo $f | tr A-Z a-z)
	7z x -so "$SPOOL/out/$id.zip" $t.$ext > shipped.$t.$ext 2>/dev/null
	kind=$ext; [ $f = JSON ] || kind=csv
	is "$($PY check.py $kind shipped.$t.$ext - '' '' 2>&1)" \
	    "$(field "$id" 'j["result"]["records"]')" \
	    "$t.$ext from the daemon parses with result.records records"
done < ids
stop d

# a large export through the daemon: every record, memory stays flat
# (a million records, 140 MB of JSON Lines; fewer under the sanitizers,
# whose shadow memory makes the RSS meaningless)
rows=1000000 asan=
case $BIN in *asan*) rows=200000 asan=1 ;; esac
daemon d
id=$(xspool -c "$CONF" submit Synthetic -f CSV -P rows=$rows)
/usr/bin/python3 "$TOP/tests/bench/rss.py" "$(pid_of d)" "$T/rss" &
rp=$!
ok "the large export completes" wait_for 120 is_in "$id" completed
touch "$T/rss.stop"
wait $rp
is "$(field "$id" 'j["result"]["records"]')" $rows "result.records = $rows"
is "$(7z x -so "$SPOOL/out/$id.zip" Synthetic.csv | wc -l)" $((rows + 1)) \
    "the zip holds $rows rows and the header"
diag "peak RSS of xspoold and its children: $(cat "$T/rss") KiB"
if [ -n "$asan" ]; then
	skip "peak memory under 64 MiB" "not measurable under ASan"
else
	# a sampler that saw nothing would pass the bound: it must have
	# seen the daemon and its worker at least
	ok "the sampler measured something (over 2 MiB)" \
	    test "$(cat "$T/rss")" -gt 2048
	ok "peak memory of the daemon and its children under 64 MiB" \
	    test "$(cat "$T/rss")" -lt 65536
fi
stop d

done_testing
