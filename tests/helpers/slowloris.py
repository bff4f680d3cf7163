#!/usr/bin/python3
"""slowloris.py - slow clients for the tests: connections from several
loopback addresses (--from, then the next --addrs - 1 addresses), each
sending a request header that never ends, one byte every --trickle
seconds (so no idle timeout ever fires), for --seconds.  With --reconnect
a connection the server drops is opened again, as an attacker would.

--ready FILE is written once the first wave is connected.  At the end one
line of JSON on stdout:
  opened     connections opened (all waves)
  first      connections of the first wave
  dropped    first-wave connections the server closed
  alive      first-wave connections still open at the end
  alive_at   first-wave connections open --probe seconds in (null: none)
  max_age    seconds the longest-lived dropped first-wave connection lived
  min_age    and the shortest-lived
"""
import argparse
import ipaddress
import json
import os
import selectors
import socket
import time

HEAD = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: "


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--from", dest="first", default="127.0.0.2")
    ap.add_argument("--addrs", type=int, default=10)
    ap.add_argument("--per-addr", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--trickle", type=float, default=0.5)
    ap.add_argument("--probe", type=float, default=0)
    ap.add_argument("--reconnect", action="store_true")
    ap.add_argument("--ready")
    a = ap.parse_args()

    base = ipaddress.ip_address(a.first)
    addrs = [str(base + i) for i in range(a.addrs)]
    sel = selectors.DefaultSelector()
    conns = {}		# socket -> [addr, opened, wave]
    st = {"opened": 0, "first": 0, "dropped": 0, "alive": 0, "max_age": 0.0,
          "min_age": None, "alive_at": None}

    def connect(addr, wave):
        t = time.monotonic()	# before the server can see it
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((addr, 0))
            s.settimeout(5)
            s.connect((a.host, a.port))
            s.sendall(HEAD)
            s.setblocking(False)
        except OSError:
            s.close()
            return
        conns[s] = [addr, t, wave]
        sel.register(s, selectors.EVENT_READ)
        st["opened"] += 1
        if wave == 1:
            st["first"] += 1

    def drop(s, now):
        addr, opened, wave = conns.pop(s)
        sel.unregister(s)
        s.close()
        if wave == 1:
            st["dropped"] += 1
            st["max_age"] = max(st["max_age"], now - opened)
            if st["min_age"] is None or now - opened < st["min_age"]:
                st["min_age"] = now - opened
        if a.reconnect and now < end:
            connect(addr, 2)

    start = time.monotonic()
    for addr in addrs:
        for _ in range(a.per_addr):
            connect(addr, 1)
    if a.ready:
        with open(a.ready + ".tmp", "w") as f:
            f.write("%d\n" % st["first"])
        os.rename(a.ready + ".tmp", a.ready)
    end = start + a.seconds
    next_byte = time.monotonic() + a.trickle
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if a.probe and st["alive_at"] is None and now - start >= a.probe:
            st["alive_at"] = sum(1 for c in conns.values() if c[2] == 1)
        for key, _ in sel.select(timeout=min(0.1, max(0, end - now))):
            s = key.fileobj
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if not d:		# an answer is not expected: any is an end
                drop(s, time.monotonic())
        if time.monotonic() >= next_byte:
            next_byte += a.trickle
            for s in list(conns):
                try:
                    s.send(b"a")
                except OSError:
                    drop(s, time.monotonic())
    st["alive"] = sum(1 for c in conns.values() if c[2] == 1)
    st["max_age"] = round(st["max_age"], 2)
    st["min_age"] = round(st["min_age"] or 0, 2)
    for s in list(conns):
        s.close()
    print(json.dumps(st))


if __name__ == "__main__":
    main()
