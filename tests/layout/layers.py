#!/usr/bin/env python3
"""The structure's rules, checked over the sources (make layout-check):

- no file includes a header of a layer above its own (LAYERS, lowest first);
- no circle between files: A uses what B defines and B what A defines,
  directly or through others (a header's owners are the files that define
  what it declares);
- no function over 100 lines.

Exit 1 with one line per breach."""
import glob, os, re, sys

# lowest first; a folder's files take its layer unless FILES says otherwise
LAYERS = ["util", "collect", "model", "detect", "probe", "output", "record", "publish", "settings",
          "session", "act", "ui", "modes", "main"]
FOLDERS = {"util": "util", "collect": "collect", "probe": "probe", "model": "model", "detect": "detect",
           "output": "output", "record": "record", "publish": "publish", "session": "session",
           "act": "act", "ui": "ui", "app": "settings", "sim": "collect"}
FILES = {"src/app/batch.c": "modes", "src/app/demo.c": "modes", "src/main.c": "main",
         "src/sim/main.c": "main"}
MAX_LINES = 100

def layer_of_file(path):
    if path in FILES:
        return FILES[path]
    folder = path.split("/")[1]
    return FOLDERS.get(folder)

def strip_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)

def includes(text):
    return re.findall(r'^#include "([^"]+)"', text, flags=re.M)

def defined_functions(text):
    # a definition: a line starting a type, the name, "(", and a body "{" on a line of its own
    out = set()
    lines = text.split("\n")
    for i, l in enumerate(lines):
        m = re.match(r"^[A-Za-z_][\w \*]*?\b(tt_\w+)\s*\(", l)
        if m and not l.rstrip().endswith(";"):
            j = i
            while j < len(lines) and lines[j] != "{" and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and lines[j] == "{":
                out.add(m.group(1))
    return out

def declared_functions(text):
    return set(re.findall(r"\b(tt_\w+)\s*\([^;{]*\)\s*(?:__attribute__\(\(.*?\)\))?\s*;", text, flags=re.S))

def long_functions(path, text):
    out = []
    lines = text.split("\n")
    start = None
    for i, l in enumerate(lines):
        if l == "{" and start is None:
            start = i
            k = i - 1
            while k > 0 and not re.match(r"^[A-Za-z_]", lines[k]):
                k -= 1
            name = re.findall(r"(\w+)\s*\(", lines[k])
            name = name[0] if name else lines[k]
        elif l == "}" and start is not None:
            if i - start - 1 > MAX_LINES:
                out.append(f"{path}:{start}: {name} is {i - start - 1} lines (at most {MAX_LINES})")
            start = None
    return out

def main(root):
    os.chdir(root)
    cfiles = sorted(glob.glob("src/*/*.c") + ["src/main.c"])
    headers = {os.path.relpath(h, "include"): h for h in glob.glob("include/tenantop/*.h")}
    headers.update({h[len("src/"):]: h for h in glob.glob("src/*/*.h")})
    text = {p: strip_comments(open(p).read()) for p in cfiles + list(headers.values())}
    breaches = []
    # a header's owners: the files that define what it declares
    defs = {p: defined_functions(text[p]) for p in cfiles}
    owners = {}
    for name, h in headers.items():
        decl = declared_functions(text[h])
        owners[name] = {p for p in cfiles if defs[p] & decl}
    # a header's layer: its folder's when it sits beside the code, else its
    # owners' (the lowest when several); declaring only types: util
    def header_layer(name):
        h = headers[name]
        if h.startswith("src/"):
            return LAYERS.index(FOLDERS.get(h.split("/")[1], "util"))
        ls = [LAYERS.index(layer_of_file(p)) for p in owners.get(name, ()) if layer_of_file(p)]
        return min(ls) if ls else 0
    for p in cfiles:
        lf = layer_of_file(p)
        if lf is None:
            breaches.append(f"{p}: its folder has no layer (add it to tests/layout/layers.py)")
            continue
        for inc in includes(text[p]):
            if inc in headers and header_layer(inc) > LAYERS.index(lf):
                breaches.append(f"{p} ({lf}) includes {inc} ({LAYERS[header_layer(inc)]}), a layer above")
    for name, h in headers.items():
        for inc in includes(text[h]):
            if inc in headers and header_layer(inc) > header_layer(name):
                breaches.append(f"{h} ({LAYERS[header_layer(name)]}) includes {inc} ({LAYERS[header_layer(inc)]}), a layer above")
    # circles between files: A -> B when A calls what B defines (through an included header)
    edges = {p: set() for p in cfiles}
    for p in cfiles:
        used = set(re.findall(r"\b(tt_\w+)\s*\(", text[p])) - defs[p]
        for q in cfiles:
            if q != p and used & defs[q]:
                edges[p].add(q)
    index, low, stack, on, comps = {}, {}, [], set(), []
    sys.setrecursionlimit(10000)
    def strong(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))
    for v in cfiles:
        if v not in index:
            strong(v)
    for c in comps:
        breaches.append("circle between files: " + " <-> ".join(c))
    for p in cfiles:
        breaches += long_functions(p, text[p])
    for b in breaches:
        print("layout:", b)
    return 1 if breaches else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
