#!/usr/bin/env python3
"""Validate tenantop's JSON lines against contrib/tenantop.schema.json.

usage: validate_json.py SCHEMA NAME FILE [NAME FILE]...
Each FILE holds one JSON object per line.  Prints one ok/FAIL line per
scenario with what it covered; exits 1 when any object is invalid.  First
checks that the schema rejects broken objects (so a pass means something)."""
import copy
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    fails = 0
    first = None
    args = sys.argv[2:]
    for name, path in zip(args[0::2], args[1::2]):
        objs = socks = alerts = bad = 0
        for n, line in enumerate(open(path), 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except ValueError as e:
                print(f"  FAIL {name}: line {n} is not JSON: {e}")
                bad += 1
                continue
            objs += 1
            errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
            for e in errs[:5]:
                print(f"  FAIL {name}: line {n}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
            bad += bool(errs)
            socks += sum(len(p["sockets"]) for t in doc.get("tenants", []) for p in t.get("processes", []))
            alerts += len(doc.get("alerts", []))
            if first is None and not errs and socks:
                first = doc
        if objs and not bad:
            print(f"  ok   {name}: {objs} object(s) valid ({socks} sockets, {alerts} alerts)")
        else:
            print(f"  FAIL {name}: {bad} invalid of {objs}")
            fails += 1
    # the schema can fail: broken copies of a valid object must be refused
    if first is not None:
        breakers = {
            "no totals": lambda d: d.pop("totals"),
            "a state count as a string": lambda d: d["totals"].update({"ESTABLISHED": "3"}),
            "a state name not the kernel's": lambda d: d["totals"].update({"ESTAB": 1}),
            "family tcp5": lambda d: d["tenants"][0]["processes"][0]["sockets"][0].update({"family": "tcp5"}),
            "a process without pid": lambda d: d["tenants"][0]["processes"][0].pop("pid"),
            "a tenant without name": lambda d: d["tenants"][0].pop("name"),
        }
        accepted = 0
        for what, brk in breakers.items():
            d = copy.deepcopy(first)
            brk(d)
            if v.is_valid(d):
                print(f"  FAIL the schema accepts an object with {what}")
                accepted += 1
        if not accepted:
            print(f"  ok   the schema refuses {len(breakers)} broken copies of a valid object")
        fails += accepted
    else:
        print("  FAIL no valid object with sockets to break")
        fails += 1
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
