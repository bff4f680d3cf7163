#!/bin/sh
# bench-large.sh [ROWS] - one large export through the daemon (the
# Synthetic demo type, default 7.5 million rows, about 1 GiB of JSONL), to
# JSON (FORMATS="CSV JSON" for both): wall time and the peak resident memory of the daemon
# and all its children together, sampled every 20 ms; against the
# exporter alone into wc -c (the floor of any export of these records).
. "$(dirname "$0")/lib.sh"
ROWS=${1:-7500000}
SP=$DISK/spool
cat > "$DISK/x.conf" <<CONF
[spool]
dir = $SP
node = bench
workers = 1
[type Synthetic]
command = $TOP/etc/exporters/synthetic
emits = jsonl
formats = JSON,CSV
timeout = 1h
max_bytes = 100G
CONF
say "large: the exporter alone"
a=$(now_ns)
in=$(XSPOOL_PARAM_rows=$ROWS "$TOP/etc/exporters/synthetic" | wc -c)
b=$(now_ns)
esecs=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
echo "### Large export ($ROWS Synthetic records, $((in / 1048576)) MiB of JSONL, through xspoold)"
echo
echo "| format | zip MiB | wall s | MB/s of records | exporter alone s | xspool / exporter alone (time) | peak RSS daemon + children MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for fmt in ${FORMATS:-JSON}; do
	say "large: $fmt"
	rm -rf "$SP"
	"$BIN/xspoold" -f -c "$DISK/x.conf" 2>"$DISK/d.log" &
	d=$!
	_pids="$_pids $d"
	while [ ! -d "$SP/queued" ]; do sleep 0.05; done
	rm -f "$DISK/rss" "$DISK/rss.stop"
	/usr/bin/python3 "$TOP/tests/bench/rss.py" $d "$DISK/rss" &
	s=$!
	t0=$(now_ns)
	id=$("$BIN/xspool" -c "$DISK/x.conf" submit Synthetic -f $fmt -P rows="$ROWS")
	while [ ! -e "$SP/completed/$id.job" ] && [ ! -e "$SP/cancelled/$id.job" ] &&
	    [ ! -e "$SP/failed/$id.job" ]; do
		sleep 0.1
	done
	t1=$(now_ns)
	touch "$DISK/rss.stop"; wait $s
	kill $d; wait $d 2>/dev/null
	if [ ! -e "$SP/completed/$id.job" ]; then
		say "export failed:"; cat "$SP"/*/"$id.job" >&2; continue
	fi
	zip=$(stat -c %s "$SP/out/$id.zip")
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	echo "| $fmt | $((zip / 1048576)) | $secs | $(mbps "$in" "$secs") | $esecs | $(ratio "$secs" "$esecs") | $(($(cat "$DISK/rss") / 1024)) |"
done
