#!/bin/sh
# run.sh - every benchmark in turn (make bench); each prints a Markdown
# table.  A size argument can be given to each script run alone.
cd "$(dirname "$0")"
for b in throughput convert zip http large growth; do
	echo
	sh "./bench-$b.sh" || echo "(bench-$b failed; see above)"
done
