#!/usr/bin/python3
"""rss.py PID OUTFILE - samples the summed resident memory of PID and all
its descendants every 20 ms until PID exits or OUTFILE.stop appears; writes
the peak in KiB to OUTFILE."""
import os, sys, time

root, out = int(sys.argv[1]), sys.argv[2]
peak = 0

def tree():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            ppid = int(s[s.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError):
            pass
    todo, seen = [root], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen

def rss(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

while os.path.exists(f"/proc/{root}") and not os.path.exists(out + ".stop"):
    peak = max(peak, sum(rss(p) for p in tree()))
    time.sleep(0.02)
with open(out, "w") as f:
    f.write(f"{peak}\n")
