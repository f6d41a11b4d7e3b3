#!/bin/sh
# Runs every test: the cmocka unit tests, then (unless UNIT_ONLY=1) the
# integration scripts (real sockets on loopback) and the tmux dashboard tests.
# A script exits 0 for pass, 77 for skip, anything else for fail.
BUILD=${BUILD:-build}
pass=0; fail=0; skip=0; failed=""
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== unit: ${t##*/}"
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed ${t##*/}"; fi
done
if [ "${UNIT_ONLY:-0}" != 1 ]; then
	for t in tests/integration/*.sh tests/tmux/*.sh; do
		[ -f "$t" ] || continue
		case ${t##*/} in lib*) continue;; esac
		echo "== script: $t"
		start=$(date +%s)
		BUILD="$BUILD" timeout 600 sh "$t"
		rc=$?
		end=$(date +%s)
		case $rc in
		0) pass=$((pass + 1)); echo "   ok ($((end - start)) s)";;
		77) skip=$((skip + 1)); echo "   skipped";;
		*) fail=$((fail + 1)); failed="$failed $t"; echo "   FAILED (exit $rc)";;
		esac
	done
fi
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
