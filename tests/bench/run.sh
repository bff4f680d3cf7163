#!/bin/sh
# run.sh - every benchmark in turn (make bench); each prints a Markdown
# table on stdout (progress goes to stderr).  A size argument can be given
# to each script run alone: sh tests/bench/bench-zip.sh 100.  bench-nfs
# boots the user-mode Linux NFS rig (tests/nfs/README) and says so when
# it cannot (no linux.uml): a skip, not a failure
cd "$(dirname "$0")"
echo "## xspool benchmarks"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel: $(uname -r); $(nproc) CPUs"
echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "- load at start: $(uptime | sed 's/.*load average/load average/')"
start=$(date +%s)
for b in throughput convert zip http large growth fair sql nfs; do
	echo
	a=$(date +%s)
	sh "./bench-$b.sh" || echo "(bench-$b failed; see above)"
	echo
	echo "_bench-$b: $(($(date +%s) - a)) s, $(uptime | sed 's/.*load average/load average/')_"
done
echo
echo "_all: $(($(date +%s) - start)) s_"
