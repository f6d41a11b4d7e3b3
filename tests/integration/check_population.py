#!/usr/bin/env python3
"""Check tenantop's JSON against a known simulated population and ss -tanp.

usage: check_population.py EXPECTED NETLINK.json PROC.json SS.txt
EXPECTED: one line per tenant, "NAME STATE=N STATE=N ... [procs=N] [holders=N]";
the name "unattributed" is the unattributed group.  Exit 0 when everything agrees,
1 with one line per disagreement."""
import json
import re
import sys

SS_STATES = {"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
             "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT",
             "UNCONN": "CLOSE", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK",
             "LISTEN": "LISTEN", "CLOSING": "CLOSING"}
errors = []


def fail(msg):
    errors.append(msg)


def norm_ep(ep):
    """'[::ffff:127.0.0.1]:80', '127.0.0.1:80', '*:80', '[::]:*' -> (addr, port)."""
    addr, _, port = ep.rpartition(":")
    addr = addr.strip("[]")
    if addr in ("*", "::", "0.0.0.0"):
        addr = "any"
    return addr, "0" if port == "*" else port


def sockets(doc):
    """Every socket of a tenantop document: key -> set of holder pids."""
    out = {}
    def add(s, pid):
        key = (s["state"], norm_ep(s["local"]), norm_ep(s["remote"]), s["inode"])
        out.setdefault(key, set())
        if pid is not None:
            out[key].add(pid)
    for t in doc["tenants"]:
        for p in t["processes"]:
            for s in p["sockets"]:
                add(s, p["pid"])
        for s in t.get("unowned_sockets", []):
            add(s, None)
    for s in doc["unattributed"].get("sockets", []):
        add(s, None)
    return out


def main():
    exp_path, nl_path, proc_path, ss_path = sys.argv[1:5]
    nl = json.loads(open(nl_path).read().splitlines()[-1])
    proc = json.loads(open(proc_path).read().splitlines()[-1])
    # the default: netlink, with eBPF events where this build and kernel have them
    if nl["source"] not in ("netlink", "netlink+bpf"):
        fail("the default source is %r, not netlink" % nl["source"])
    if proc["source"] != "proc":
        fail("--source proc gave %r" % proc["source"])

    # 1. exact counts per tenant and state
    tenants = {t["name"]: t for t in nl["tenants"]}
    for line in open(exp_path):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        name, want = f[0], dict(x.split("=") for x in f[1:])
        if name == "unattributed":
            got_states, t = nl["unattributed"]["states"], None
        else:
            t = tenants.get(name)
            if t is None:
                fail("tenant %s missing (tenants: %s)" % (name, sorted(tenants)))
                continue
            got_states = t["states"]
        want_states = {k: int(v) for k, v in want.items() if k.isupper()}
        if got_states != want_states:
            fail("tenant %s: states %s, expected %s" % (name, got_states, want_states))
        if t is not None and "procs" in want and len(t["processes"]) != int(want["procs"]):
            fail("tenant %s: %d processes, expected %s" % (name, len(t["processes"]), want["procs"]))
        if t is not None and "holders" in want:
            for p in t["processes"]:
                for s in p["sockets"]:
                    if s.get("holders", 1) != int(want["holders"]):
                        fail("tenant %s: socket %s has %s holders, expected %s"
                             % (name, s["inode"], s.get("holders", 1), want["holders"]))
    listed = set(tenants) - {l.split()[0] for l in open(exp_path) if l.strip() and not l.startswith("#")}
    if listed:
        fail("unexpected tenants: %s" % sorted(listed))

    # 2. both sources give the same socket list
    a, b = sockets(nl), sockets(proc)
    if a != b:
        fail("netlink and /proc disagree: only netlink %s; only proc %s"
             % (sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5]))

    # 3. every socket ss lists is in tenantop, with the same processes
    by_tuple = {}
    for (state, l, r, inode), pids in a.items():
        by_tuple.setdefault((state, l, r), set()).update(pids)
    nss = 0
    for line in open(ss_path):
        f = line.split()
        if len(f) < 5 or f[0] not in SS_STATES:
            continue
        nss += 1
        key = (SS_STATES[f[0]], norm_ep(f[3]), norm_ep(f[4]))
        pids = {int(x) for x in re.findall(r"pid=(\d+)", line)}
        if key not in by_tuple:
            fail("ss lists %s %s %s, tenantop does not" % (f[0], f[3], f[4]))
        elif by_tuple[key] != pids:
            fail("%s %s %s: ss says pids %s, tenantop %s" % (f[0], f[3], f[4], sorted(pids), sorted(by_tuple[key])))
    in_ss = sum(1 for k in a if k[0] != "CLOSE")
    if nss != in_ss:
        fail("ss lists %d sockets, tenantop %d (besides reset-but-held CLOSE)" % (nss, in_ss))
    held = sum(1 for k in a if k[0] == "CLOSE")
    print("checked: %d tenants, %d sockets from ss, %d reset-but-held that ss cannot show" % (len(tenants), nss, held))
    for e in errors:
        print("MISMATCH:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
