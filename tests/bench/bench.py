#!/usr/bin/env python3
"""tenantop benchmark: builds socket populations on loopback with tenantop-sim and
measures, in the same run and on the same population, tenantop (cold refresh, median
steady refresh, socket read alone) against `ss -tan` and `ss -tanp`: CPU seconds
(user+sys, from wait4) and peak RSS, for each socket source (netlink alone, and
netlink with the eBPF events and descriptor iterator when this build and machine
have them).  Then the share of a cycling tenant's TIME_WAIT attributed to it (1 000
connections a second, with each source), and what the eBPF program costs the traced
workload (a 20k connect/close loop with the program attached and not).  Bounded in
count and time; cleans up after itself."""
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("BUILD", "build")
TT = os.path.join(BUILD, "tenantop")
SIM = os.path.join(BUILD, "tenantop-sim")
PORT = int(os.environ.get("BENCH_PORT", "45306"))
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
DEADLINE = time.monotonic() + float(os.environ.get("BENCH_SECONDS", "720"))
HERE = os.path.dirname(os.path.abspath(__file__))


def run(argv, stdout=subprocess.DEVNULL):
    """Run argv under /usr/bin/time, return (cpu seconds, peak rss KiB, stdout bytes).
    time(1) forks the command from its own small process, so the peak RSS is
    the command's own, not this Python's (a child forked from here would
    carry Python's pages into its ru_maxrss before exec)."""
    fd, tfile = tempfile.mkstemp(prefix="tt-bench-time-")
    os.close(fd)
    try:
        p = subprocess.Popen(["/usr/bin/time", "-o", tfile, "-f", "%M"] + argv,
                             stdout=subprocess.PIPE if stdout is None else subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        out = p.stdout.read() if p.stdout else b""
        # CPU in microseconds from wait4: time(1) plus the command it reaped
        _, status, ru = os.wait4(p.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(argv), status))
        m = open(tfile).read().split()[-1]
        return ru.ru_utime + ru.ru_stime, int(m), out
    finally:
        os.unlink(tfile)


def record_size(ports, refreshes=11, delay=2.0):
    """Bytes of --record: the first (whole) record, then the mean of the records after it
    (the changes since the one before), at the dashboard's default 2 s delay."""
    fd, path = tempfile.mkstemp(prefix="tt-bench-rec-")
    os.close(fd)
    os.unlink(path)
    try:
        subprocess.run([TT, "--batch", "--format", "json", "--iterations", str(refreshes), "--delay", str(delay),
                        "--record", path] + ports, stdout=subprocess.DEVNULL, check=True)
        data = open(path, "rb").read()
        off, sizes = 32, []
        while off + 16 <= len(data):
            clen = int.from_bytes(data[off + 4:off + 8], "little")
            if data[off + 3] != ord("M"):  # the run's settings record is not a refresh
                sizes.append(16 + clen)
            off += 16 + clen
        return sizes[0], statistics.mean(sizes[1:]) if len(sizes) > 1 else sizes[0]
    finally:
        if os.path.exists(path):
            os.unlink(path)


def key_latency(port):
    """Median milliseconds from a key sent through tmux to the screen showing its
    effect, with the dashboard refreshing every second over this population."""
    sock = "tt-bench-%d" % os.getpid()
    tm = ["tmux", "-L", sock]
    if subprocess.run(["which", "tmux"], stdout=subprocess.DEVNULL).returncode != 0:
        return None
    subprocess.run(tm + ["new-session", "-d", "-s", "b", "-x", "120", "-y", "40",
                         "%s --ports %d --delay 1" % (TT, port)], check=True)
    try:
        def screen():
            return subprocess.run(tm + ["capture-pane", "-p", "-t", "b"], stdout=subprocess.PIPE).stdout.decode()
        t0 = time.monotonic()
        while "F10Quit" not in screen() or "collecting" in screen():
            if time.monotonic() - t0 > 60:
                return None
            time.sleep(0.1)
        times = []
        for i in range(10):
            # toggle the sort order: the header says so at once
            before = "asc" if "asc" in screen().split("\n")[3] else "desc"
            t = time.monotonic()
            subprocess.run(tm + ["send-keys", "-t", "b", "I"])
            while True:
                line = screen().split("\n")[3]
                if ("asc" in line) != (before == "asc"):
                    break
                if time.monotonic() - t > 5:
                    break
            times.append((time.monotonic() - t) * 1000)
            time.sleep(0.15)
        return statistics.median(times)
    finally:
        subprocess.run(tm + ["kill-server"], stderr=subprocess.DEVNULL)


def population(n_sockets):
    """Tenant specs for about n_sockets sockets (a connection is two sockets on loopback,
    a TIME_WAIT one).  20 uids, up to 400 processes."""
    conns = n_sockets // 2
    uids = 20 if n_sockets >= 10000 else 4
    procs = max(1, min(400 // uids, conns // (uids * 20)))
    per = conns // uids
    est, cw, reset = int(per * 0.6), int(per * 0.2), int(per * 0.1)
    tw = per - est - cw - reset
    specs = []
    for i in range(uids):
        specs += ["--tenant", "%d:estab=%d,cw=%d,reset=%d,tw=%d,procs=%d" % (5000 + i, est, cw, reset, tw, procs)]
    return specs, uids * procs


def bpf_available():
    """This build has the eBPF source and it loads here."""
    v = subprocess.run([TT, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    if "eBPF events built in" not in v:
        return False
    return subprocess.run([TT, "--batch", "--format", "json", "--iterations", "1", "--source", "bpf", "--ports", "1"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


SOURCES = ["netlink"]
BASE_TCP = 0  # the machine's own TCP sockets, before any population


def measure_tt(ports, source):
    """tenantop over the population with one source: cold and median steady refresh
    CPU seconds (each refresh reports its own), the socket read alone, peak RSS."""
    _, rss, out = run([TT, "--batch", "--format", "json", "--iterations", "11", "--delay", "0.3",
                       "--source", source] + ports, stdout=None)
    docs = [json.loads(l) for l in out.splitlines() if l.strip()]
    cold = docs[0]["self"]["cpu_ms"] / 1000
    steady = statistics.median(d["self"]["cpu_ms"] for d in docs[1:]) / 1000
    # with eBPF events: the steady refreshes that applied the kernel's changes
    events = sum(1 for d in docs[1:] if d.get("tcp_table", {}).get("from") == "events")
    counted = sum(docs[-1]["totals"].values())
    _, _, out = run([TT, "--batch", "--format", "json", "--iterations", "4", "--delay", "0.3",
                     "--sockets-only", "--source", source] + ports, stdout=None)
    docs2 = [json.loads(l) for l in out.splitlines() if l.strip()]
    sock = statistics.median(d["self"].get("collect_cpu_ms", d["self"]["cpu_ms"]) for d in docs2) / 1000
    return dict(cold=cold, steady=steady, sock=sock, rss=rss, counted=counted, events=events,
                steadies=len(docs) - 1)


def start_sim(port, specs, duration=120):
    ready = tempfile.mktemp(prefix="tt-bench-ready-")
    sim = subprocess.Popen([SIM, "--port", str(port), "--duration", str(duration), "--ready-file", ready,
                            "--quiet"] + specs, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    while not os.path.exists(ready):
        if sim.poll() is not None or time.monotonic() - t0 > 120:
            err = sim.stderr.read().decode(errors="replace") if sim.poll() is not None else "not ready after 120 s"
            stop_sim(sim, ready)
            raise RuntimeError("simulator: %s" % err.strip())
        time.sleep(0.2)
    return sim, ready


def stop_sim(sim, ready):
    sim.send_signal(signal.SIGTERM)
    try:
        sim.wait(timeout=30)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()
    if os.path.exists(ready):
        os.unlink(ready)


def tw_attribution():
    """A tenant cycling 1 000 connections a second (each lives a few ms, its
    TIME_WAIT a minute) beside a quiet one: the share of the TIME_WAIT sockets on
    the port that tenantop puts on the cycling tenant, with each source.  tenantop
    starts first (events are seen from the moment its program is attached), then
    the tenants, on a port of their own for each source; ss counts the TIME_WAIT
    sockets on the port at the end (ground truth, not tenantop's)."""
    uid = 5190
    print()
    print("TIME_WAIT of a tenant cycling 1000 connections/s (uid %d), attributed to it:" % uid)
    for k, src in enumerate(SOURCES):
        port = PORT + 200 + k
        tt = subprocess.Popen([TT, "--batch", "--format", "json", "--iterations", "5", "--delay", "3",
                               "--ports", str(port), "--source", src], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
        sim = ready = None
        try:
            tt.stdout.readline()  # the first refresh: the program (if any) is attached
            sim, ready = start_sim(port, ["--tenant", "%d:estab=4,churn=1000,procs=4" % uid,
                                          "--tenant", "%d:estab=20,procs=2" % (uid + 1)], duration=60)
            lines = tt.stdout.read().splitlines()
            ss = subprocess.run(["ss", "-tanH", "state", "time-wait", "( sport = :%d or dport = :%d )" % (port, port)],
                                stdout=subprocess.PIPE).stdout.decode().count("\n")
            last = json.loads(lines[-1])
            total = last["totals"].get("TIME_WAIT", 0)
            right = sum(t["states"].get("TIME_WAIT", 0) for t in last["tenants"]
                        if any(p.get("uid") == uid for p in t["processes"]))
            print("  %-11s %6d of %6d TIME_WAIT on the port (ss: %6d) on the cycling tenant: %5.1f %%" % (
                "netlink+bpf" if src == "bpf" else src, right, total, ss, 100.0 * right / total if total else 0.0))
        except (RuntimeError, IndexError, ValueError) as e:
            print("bench: TIME_WAIT attribution with %s: %s" % (src, e), file=sys.stderr)
        finally:
            tt.kill()
            tt.wait()
            if sim:
                stop_sim(sim, ready)


def attached_event_programs():
    """How many inet_sock_set_state programs of any tenantop are attached now."""
    out = subprocess.run(["bpftool", "prog", "show"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    return out.decode(errors="replace").count("name tt_set_state")


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
PROGS = ("tt_set_state", "tt_set_state_nested", "tt_send_reset")


def program_time():
    """The kernel's own count of tenantop's event programs' runs and their time
    (kernel.bpf_stats_enabled on): (runs of tt_set_state, ns in all of them)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    runs = ns = 0
    for p in json.loads(out or b"[]"):
        if p.get("name") in PROGS:
            ns += p.get("run_time_ns", 0)
            runs += p.get("run_cnt", 0) if p.get("name") == "tt_set_state" else 0
    return runs, ns


BPF_STATS = "/proc/sys/kernel/bpf_stats_enabled"


def ring_drops():
    """The records tenantop's programs found no room for in the ring (its
    per-CPU counter, the map named "dropped"), None when unreadable."""
    out = subprocess.run(["bpftool", "-j", "map", "dump", "name", "dropped"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout
    try:
        total = 0
        for entry in json.loads(out or b"[]"):
            for v in entry.get("values", []):
                val = v.get("value", 0)
                total += int.from_bytes(bytes(int(b, 16) for b in val), "little") if isinstance(val, list) else int(val)
        return total
    except (ValueError, TypeError, AttributeError):
        return None


def set_bpf_stats(value):
    """Set the kernel's BPF run-time accounting; the value it had."""
    with open(BPF_STATS) as f:
        was = f.read().strip()
    with open(BPF_STATS, "w") as f:
        f.write(value)
    return was


def overhead():
    """What the eBPF program costs the traced workload: a 20k connect/close loop
    with no program attached, with tenantop's attached (a --source bpf run that
    waits between refreshes) watching another port, and watching the loop's own
    (every change told to tenantop), in turn, ROUNDS times each, the order
    rotated each round (the TIME_WAITs the runs before leave weigh on the next);
    the median and the fastest run of the wall time and of the loop's CPU time
    (connloop.c); then one run of each traced arm with the kernel counting the
    programs' own time.  Each run on a port of its own."""
    loop = os.path.join(tempfile.mkdtemp(prefix="tt-bench-loop-"), "connloop")
    if subprocess.run(["cc", "-O2", "-o", loop, os.path.join(HERE, "connloop.c")]).returncode != 0:
        print("bench: cannot build the connect/close loop", file=sys.stderr)
        return
    def free_port():
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port
    def timed(port):
        out = subprocess.run([loop, "20000", str(port)], stdout=subprocess.PIPE, check=True, timeout=130).stdout
        wall, cpu = out.split()
        return float(wall), float(cpu)
    def traced(port, watch, count=False):
        """The loop with tenantop's programs attached; count: also the kernel's
        count of the programs' runs and time meanwhile (its stats on for it)."""
        # tenantop as users run it: its 512 KiB ring, emptied by its thread
        # (the drops it counted meanwhile are said with the counted run)
        tt = subprocess.Popen([TT, "--batch", "--format", "json", "--iterations", "2", "--delay", "60",
                               "--ports", str(watch), "--source", "bpf"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
        tt.stdout.readline()  # the first refresh is out: loaded, attached, now waiting
        try:
            if not count:
                return timed(port)
            before = program_time()
            was = set_bpf_stats("1")
            try:
                wall, _ = timed(port)
            finally:
                set_bpf_stats(was)
            after = program_time()
            return after[0] - before[0], after[1] - before[1], wall, ring_drops()
        finally:
            tt.kill()
            tt.wait()
    def own_port(count=False):
        port = free_port()
        return traced(port, port, count)
    runs = {"plain": [], "other": [], "own": []}
    arms = [("plain", lambda: timed(free_port())), ("other", lambda: traced(free_port(), 1)), ("own", own_port)]
    others = []
    own_ns = {}
    try:
        for r in range(ROUNDS):
            others.append(attached_event_programs())
            for name, arm in arms[r % 3:] + arms[:r % 3]:  # each arm first, second and last in turn
                runs[name].append(arm())
            time.sleep(1)
        # the programs' own time, as the kernel counts it (one run of each traced arm)
        try:
            own_ns["other"] = traced(free_port(), 1, count=True)
            own_ns["own"] = own_port(count=True)
        except (OSError, ValueError) as e:
            print("bench: no count of the programs' own time: %s" % e, file=sys.stderr)
    finally:
        os.unlink(loop)
        os.rmdir(os.path.dirname(loop))
    print()
    # interference on a shared host only adds time: the fastest run of each arm
    # is the least disturbed one, the median the usual one
    for what, k in (("wall", 0), ("CPU", 1)):
        for how, f in (("median", statistics.median), ("fastest", min)):
            p, o, w = (f(x[k] for x in runs[a]) for a in ("plain", "other", "own"))
            print("workload overhead (%s, %s of %d): 20k connect/close %.3f s without the program; attached, "
                  "watching another port %.3f s: x%.3f (%+.1f %%); watching the loop's port %.3f s: x%.3f (%+.1f %%)"
                  % (what, how, ROUNDS, p, o, o / p, 100 * (o / p - 1), w, w / p, 100 * (w / p - 1)))
    # against the fastest run without the program: the loop undisturbed (the
    # counted run's own wall time moves with the host)
    base = min(x[0] for x in runs["plain"])
    for name, label in (("other", "watching another port"), ("own", "watching the loop's port")):
        if name in own_ns:
            n, ns, wall, drops = own_ns[name]
            print("  the programs' own time, %s: %d state changes, %.0f ns each, %.3f s: %.1f %% of the fastest "
                  "run without the program (%.3f s); records the full ring dropped: %s"
                  % (label, n, ns / max(1, n), ns / 1e9, 100 * ns / 1e9 / base, base,
                     "?" if drops is None else drops))
    if max(others):
        print("  (other tenantop event programs attached on this machine meanwhile: %d to %d; they weigh on both)"
              % (min(others), max(others)))


def tcp_count():
    out = subprocess.run(["ss", "-tan"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    return max(0, out.count(b"\n") - 1)


def drain(n, base):
    """Wait (at most 75 s) for the TIME_WAIT and orphaned ends the population before
    left to expire, so that each source is measured on a table of the same size."""
    t0 = time.monotonic()
    while tcp_count() > base + max(50, n // 100) and time.monotonic() - t0 < 75:
        time.sleep(2)


def measure_population(n, src, port, extras):
    """One population of about n sockets on a fresh port: ss and tenantop (with source
    src) on it; with extras, the recording size and (at the largest) the key latency."""
    specs, nprocs = population(n)
    if n == SIZES[-1]:  # where the targets are: the smaller tables' remnants weigh little
        drain(n, BASE_TCP)
    t0 = time.monotonic()
    try:
        sim, ready = start_sim(port, ["--src-addrs", "8"] + specs, duration=240)
    except RuntimeError as e:
        print("bench: %d sockets (%s): %s" % (n, src, e), file=sys.stderr)
        return None
    try:
        build_s = time.monotonic() - t0
        ports = ["--ports", str(port)]
        # the population as the kernel sees it
        _, _, out = run(["ss", "-tan"], stdout=None)
        total = max(0, out.count(b"\n") - 1)
        # time(1) counts in 10 ms steps: average several runs of the small ones
        reps = 20 if n <= 1000 else 10 if n <= 10000 else 3
        ss_runs = [run(["ss", "-tan"]) for _ in range(reps)]
        ss_cpu = sum(r[0] for r in ss_runs) / reps
        ss_rss = max(r[1] for r in ss_runs)
        # ss -tanp moves most from run to run (2.9 to 4.6 s at 100 000 sockets):
        # at least 3 runs, and the median of them where each takes seconds
        ssp_runs = [run(["ss", "-tanp"]) for _ in range(max(3, reps // 2))]
        ssp_cpu = (statistics.median(r[0] for r in ssp_runs) if n > 10000
                   else sum(r[0] for r in ssp_runs) / len(ssp_runs))
        ssp_rss = max(r[1] for r in ssp_runs)
        m = measure_tt(ports, src)
        rec = record_size(ports) if extras else None
        lat = key_latency(port) if extras and n == SIZES[-1] else None
        if lat is not None:
            print("dashboard: a key answered in %.0f ms (median of 10, tmux round trip included) at %d sockets"
                  % (lat, n), file=sys.stderr)
        return dict(n=n, source="netlink+bpf" if src == "bpf" else src, total=total, counted=m["counted"],
                    procs=nprocs, build_s=build_s, ss=ss_cpu, ss_rss=ss_rss, ssp=ssp_cpu, ssp_rss=ssp_rss,
                    cold=m["cold"], steady=m["steady"], sock=m["sock"], tt_rss=m["rss"], rec=rec,
                    events=m["events"], steadies=m["steadies"])
    except RuntimeError as e:
        print("bench: %d sockets (%s): %s" % (n, src, e), file=sys.stderr)
        return None
    finally:
        stop_sim(sim, ready)
        time.sleep(1)


def main():
    if os.geteuid() != 0:
        print("bench: needs root (simulated tenants run under their own uids)", file=sys.stderr)
        return 77
    if bpf_available():
        SOURCES.append("bpf")
    else:
        print("bench: the eBPF source does not load here: netlink only", file=sys.stderr)
    global BASE_TCP
    BASE_TCP = tcp_count()
    rows = []
    for n in SIZES:
        # each source on a population of its own, built afresh: the orphaned FIN_WAIT2 and
        # TIME_WAIT ends of a population expire after a minute, and the second source
        # would be measured on fewer sockets than the first
        for k, src in enumerate(SOURCES):
            if time.monotonic() > DEADLINE - 60:
                print("bench: time budget reached, skipping %d (%s)" % (n, src), file=sys.stderr)
                break
            row = measure_population(n, src, PORT + 10 * SIZES.index(n) + k, k == 0)
            if row:
                rows.append(row)

    def ratio(a, b):
        return "%.3f" % (a / b) if b > 0 else "n/a"

    print()
    print("tenantop benchmark, %s, %s, %d cores" % (time.strftime("%Y-%m-%d"), os.uname().release, os.cpu_count()))
    print("%-8s %-11s %8s %8s %6s | %9s %9s | %9s %9s %9s | %8s %8s %8s %8s | %8s %8s" % (
        "target", "source", "tcp", "watched", "procs", "ss -tan", "ss -tanp", "tt cold", "tt steady", "tt socks",
        "steady/", "steady/", "cold/", "socks/", "tt RSS", "ssp RSS"))
    print("%-8s %-11s %8s %8s %6s | %9s %9s | %9s %9s %9s | %8s %8s %8s %8s | %8s %8s" % (
        "sockets", "", "in ss", "counted", "", "cpu s", "cpu s", "cpu s", "cpu s", "cpu s",
        "ss -tanp", "ss -tan", "ss -tanp", "ss -tan", "MiB", "MiB"))
    for r in rows:
        print("%-8d %-11s %8d %8d %6d | %9.4f %9.4f | %9.4f %9.4f %9.4f | %8s %8s %8s %8s | %8.1f %8.1f" % (
            r["n"], r["source"], r["total"], r["counted"], r["procs"], r["ss"], r["ssp"], r["cold"], r["steady"],
            r["sock"], ratio(r["steady"], r["ssp"]), ratio(r["steady"], r["ss"]), ratio(r["cold"], r["ssp"]),
            ratio(r["sock"], r["ss"]), r["tt_rss"] / 1024, r["ssp_rss"] / 1024))
    print("targets: steady/ss -tanp <= 0.05, cold/ss -tanp <= 0.3, socks/ss -tan <= 0.5, RSS <= 64 MiB at 100k")
    print("  bpf:    steady/ss -tanp <= 0.02 and steady/ss -tan <= 0.3, cold/ss -tanp <= 0.10")
    for r in rows:
        if r["source"] != "netlink":
            print("%s at %d: %d of %d steady refreshes applied the kernel's changes (the others read every socket)"
                  % (r["source"], r["n"], r["events"], r["steadies"]))
    for r in rows:
        if not r["rec"]:
            continue
        whole, delta = r["rec"]
        print("recording at %d sockets: a whole record %.1f KB, then %.1f KB per refresh (%.1f B a socket); "
              "a day at 2 s: %.2f GB" % (r["n"], whole / 1000, delta / 1000, delta / max(1, r["counted"]),
                                           (whole / 60 + delta * 59 / 60) * 43200 / 1e9))
    if time.monotonic() < DEADLINE - 40:
        tw_attribution()
    else:
        print("time budget reached: no TIME_WAIT attribution", file=sys.stderr)
    if "bpf" in SOURCES and time.monotonic() < DEADLINE - 20:
        # on the host's own table, not beside the TIME_WAIT the measurements
        # before left: with 75 000 of them the programs' time per change was
        # some 40 % more (their hash chains crowd the cache)
        drain(0, BASE_TCP)
        overhead()
    return 0


if __name__ == "__main__":
    sys.exit(main())
