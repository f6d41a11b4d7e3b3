#!/bin/sh
# The command line: exit statuses and messages (2 for bad usage or a bad
# config, with FILE:LINE), --help, --version, batch over a fixture tree.
set -u
B=${BUILD:-build}
T=$(mktemp -d /tmp/tt-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
expect() { # expect STATUS PATTERN -- COMMAND...
	want=$1 pat=$2; shift 3
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq "$want" ] && printf '%s' "$out" | grep -qF -- "$pat"; then echo "  ok   $* -> $rc"
	else echo "  FAIL $* -> $rc (want $want and '$pat'): $out"; fails=$((fails + 1)); fi
}
expect 0 "Usage:" -- "$B/tenantop" --help
expect 0 "tenantop " -- "$B/tenantop" --version
expect 2 "unknown option '--colour'" -- "$B/tenantop" --colour
expect 2 "--delay wants seconds" -- "$B/tenantop" --batch --delay fast
expect 2 "--format wants text, json or prometheus" -- "$B/tenantop" --batch --format xml
expect 2 "bad port '99999'" -- "$B/tenantop" --batch --ports 99999
expect 2 "give either --ports or --all-ports" -- "$B/tenantop" --batch --ports 3306 --all-ports
printf '[rule]\nkind = cmdline\npattern = pool (\n' > "$T/bad.conf"
expect 2 "$T/bad.conf:3: bad pattern" -- "$B/tenantop" --batch --config "$T/bad.conf"
expect 2 "cannot read the config file" -- "$B/tenantop" --batch --config "$T/missing.conf"
expect 1 "cannot open the proc root" -- "$B/tenantop" --batch --proc "$T/nothing"
expect 0 '"name":"alice"' -- "$B/tenantop" --batch --format json --proc tests/fixtures/proc-basic
expect 0 "container-3f2a9c1b7d4e" -- "$B/tenantop" --batch --proc tests/fixtures/proc-hosting --config tenantop.conf.example --ports 3306,3307
expect 2 "needs a terminal" -- sh -c "$B/tenantop < /dev/null > /dev/null"
# a baseline learned in batch, then loaded; a damaged one is reported
expect 0 "baseline learned from" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --baseline "$T/base" --baseline-learn 1 --delay 0.4
expect 0 '"baseline":{"ESTABLISHED":1.00,"leaked":2.00' -- "$B/tenantop" --batch --format json --proc tests/fixtures/proc-basic --baseline "$T/base"
sed -i 's/^tenant 1/tenant 7/' "$T/base"
expect 0 "damaged (checksum mismatch); not used" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --baseline "$T/base"
expect 2 "--baseline-learn wants seconds" -- "$B/tenantop" --batch --baseline-learn 0
# configs that once made a fuzzer crash: refused with FILE:LINE, exit status 2
for f in tests/fixtures/fuzz-crashes/config/*; do
	expect 2 "$f:" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --config "$f"
done
expect 2 "--unix-paths: socket path pattern 'mysqld.sock': expected an absolute path" -- "$B/tenantop" --batch --unix-paths mysqld.sock
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
