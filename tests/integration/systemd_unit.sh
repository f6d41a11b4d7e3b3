#!/bin/sh
# contrib/tenantop-exporter.service: systemd-analyze verify accepts it,
# its hardening scores at most 3.0 in systemd-analyze security (offline),
# it keeps only CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, and tenantop
# accepts its command line.  Skipped without systemd-analyze.
set -u
B=${BUILD:-build}
T=$(mktemp -d /tmp/tt-unit.XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/integration/lib.sh
U=contrib/tenantop-exporter.service
fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
grep -qx 'CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH' $U && ok "capabilities: CAP_SYS_PTRACE CAP_DAC_READ_SEARCH only" ||
	bad "CapabilityBoundingSet: $(grep CapabilityBoundingSet $U)"
for k in NoNewPrivileges=yes ProtectSystem=strict UMask=0077; do
	grep -qx "$k" $U && ok "$k" || bad "$k missing"; done
# the command line of ExecStart, run once against the fixture tree
args=$(sed -n 's|^ExecStart=/usr/bin/tenantop ||p' $U)
P=$(free_ports 1) || exit 1
# shellcheck disable=SC2086
set -- $(printf '%s' "$args" | sed "s|--listen 127.0.0.1:9817|--listen 127.0.0.1:$P|")
out=$("$B/tenantop" "$@" -n 1 --format prometheus --proc tests/fixtures/proc-basic 2>&1); rc=$?
[ $rc -eq 0 ] && printf '%s' "$out" | grep -q '^tenantop_attribution_complete' && ok "tenantop accepts ExecStart's options -> 0" ||
	bad "ExecStart's options -> $rc: $out"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "  (systemd-analyze is missing: verify and security skipped)"
else
	mkdir -p "$T/u"
	sed "s|/usr/bin/tenantop|$PWD/$B/tenantop|" $U > "$T/u/tenantop-exporter.service"
	# --man=no: the manual page is installed by the package, not on a build machine
	out=$(systemd-analyze verify --man=no "$T/u/tenantop-exporter.service" 2>&1); rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] && ok "systemd-analyze verify: clean" || bad "systemd-analyze verify -> $rc: $out"
	score=$(systemd-analyze security --offline=yes "$T/u/tenantop-exporter.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then ok "systemd-analyze security: exposure $score (at most 3.0)"
	elif [ -z "$score" ]; then echo "  (systemd-analyze security --offline is not supported here: skipped)"
	else bad "systemd-analyze security: exposure $score (want at most 3.0)"; fi
fi
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
