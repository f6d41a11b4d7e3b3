#!/usr/bin/env python3
"""Makes dead database connections that already exist when tenantop starts.

Usage: deadconn.py DIR PORT_DB PORT_DB6 PORT_OTHER

Forks client processes that hold:
  resetall  connections to the database port over IPv4, IPv6 and v4-mapped
            IPv6, every one reset by the server (RST: state CLOSE, in no
            kernel table any more, still held);
  mixed     one live connection to the database port and three connections
            to another port (think HTTPS) that were reset: not database leaks;
  unixdead  three Unix connections to DIR/mysqld.sock that the server ended
            (the listener still runs);
  unixgone  two Unix connections to DIR/gone/mysqld.sock whose server exited.
Then writes DIR/facts.json with what it made (pids, inodes, peers: its own
knowledge, not tenantop's) and waits until DIR/stop exists, DIR is gone or 120 s pass.
"""
import json
import os
import socket
import struct
import sys
import time

d, port_db, port_db6, port_other = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
LINGER0 = struct.pack("ii", 1, 0)


def listener(family, addr, port, v6only=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, port))
    s.listen(64)
    return s


def reset_peer(lst):
    c, _ = lst.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
    c.close()  # RST


def inode(s):
    return os.fstat(s.fileno()).st_ino


def wait_stop():
    end = time.time() + 120
    while time.time() < end and os.path.isdir(d) and not os.path.exists(os.path.join(d, "stop")):
        time.sleep(0.1)


def child(name, body):
    """Run body in a child that reports its facts through a pipe, then holds."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            facts = body()
        except Exception as e:  # the parent reports it
            facts = {"error": repr(e)}
        os.write(w, json.dumps(facts).encode() + b"\n")
        os.close(w)
        wait_stop()
        os._exit(0)
    os.close(w)
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    facts = json.loads(data)
    facts["pid"] = pid
    facts["name"] = name
    return facts


db4 = listener(socket.AF_INET, "127.0.0.1", port_db)
db6 = listener(socket.AF_INET6, "::1", port_db, v6only=1)
dual = listener(socket.AF_INET6, "::", port_db6, v6only=0)
other = listener(socket.AF_INET, "127.0.0.1", port_other)
upath = os.path.join(d, "mysqld.sock")
os.makedirs(os.path.join(d, "gone"), exist_ok=True)
gpath = os.path.join(d, "gone", "mysqld.sock")
ul = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ul.bind(upath)
ul.listen(16)
gl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
gl.bind(gpath)
gl.listen(16)
keep = []


def connect(family, addr, port):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.connect((addr, port))
    return s


def resetall():
    out = []
    for family, addr, lst, port, remote in (
            [(socket.AF_INET, "127.0.0.1", db4, port_db, "127.0.0.1:%d" % port_db)] * 3 +
            [(socket.AF_INET6, "::1", db6, port_db, "[::1]:%d" % port_db)] * 2 +
            [(socket.AF_INET6, "::ffff:127.0.0.1", dual, port_db6, "[::ffff:127.0.0.1]:%d" % port_db6)] * 2):
        s = connect(family, addr, port)
        reset_peer(lst)
        keep.append(s)
        out.append({"inode": inode(s), "remote": remote})
    time.sleep(0.2)
    return {"reset": out}


def mixed():
    live = connect(socket.AF_INET, "127.0.0.1", port_db)
    keep.append(live)
    srv, _ = db4.accept()
    keep.append(srv)
    others = []
    for _ in range(3):
        s = connect(socket.AF_INET, "127.0.0.1", port_other)
        reset_peer(other)
        keep.append(s)
        others.append(inode(s))
    time.sleep(0.2)
    return {"live": inode(live), "live_server": inode(srv), "other_reset": others}


def unixdead():
    out = []
    for _ in range(3):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(upath)
        c, _ = ul.accept()
        c.close()
        keep.append(s)
        out.append(inode(s))
    return {"dead": out, "path": upath}


def unixgone():
    out = []
    for _ in range(2):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(gpath)
        keep.append(s)
        out.append(inode(s))
    return {"dead": out, "path": gpath}


facts = [child("resetall", resetall), child("mixed", mixed), child("unixdead", unixdead)]
# the accepted ends of unixgone live in this process: the server exits below
srv_ends = []
f = child("unixgone", unixgone)
for _ in f.get("dead", []):
    c, _ = gl.accept()
    srv_ends.append(c)
facts.append(f)
for c in srv_ends:
    c.close()
gl.close()
os.unlink(gpath)  # the server is gone, its socket file too
with open(os.path.join(d, "facts.json.tmp"), "w") as fh:
    json.dump({"parent": os.getpid(), "children": facts}, fh)
os.rename(os.path.join(d, "facts.json.tmp"), os.path.join(d, "facts.json"))
wait_stop()
for p in facts:
    try:
        os.waitpid(p["pid"], 0)
    except ChildProcessError:
        pass
