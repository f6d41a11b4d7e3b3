#!/bin/sh
# Every file tenantop writes (baseline, recording, alert log) is created
# 0600 whatever the umask, and never written through a symbolic link: a
# link planted at the path or at the baseline's temporary file leaves its
# target untouched.
set -u
B=${BUILD:-build}
T=$(mktemp -d /tmp/tt-files.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
mode() { stat -c %a "$1" 2>/dev/null; }
umask 022
F=tests/fixtures/proc-basic
echo "victim" > "$T/victim"
chmod 0644 "$T/victim"

# baseline: created 0600
"$B/tenantop" --batch --proc $F --baseline "$T/base" --baseline-learn 1 --delay 0.4 >/dev/null 2>&1
[ "$(mode "$T/base")" = 600 ] && ok "baseline created 0600" || bad "baseline mode $(mode "$T/base")"
# a symlink planted at the temporary file: removed, the target untouched
ln -s "$T/victim" "$T/base2.tmp"
"$B/tenantop" --batch --proc $F --baseline "$T/base2" --baseline-learn 1 --delay 0.4 >/dev/null 2>&1
if [ "$(cat "$T/victim")" = victim ] && [ -f "$T/base2" ] && [ ! -L "$T/base2" ] && [ "$(mode "$T/base2")" = 600 ]; then
	ok "baseline: a symlink at its temporary file is not followed"
else bad "baseline through base2.tmp: victim '$(cat "$T/victim")', base2 $(ls -l "$T/base2" 2>&1)"; fi
# the baseline path itself a symlink: replaced by a file, the target untouched
ln -s "$T/victim" "$T/base3"
"$B/tenantop" --batch --proc $F --baseline "$T/base3" --baseline-learn 1 --delay 0.4 >/dev/null 2>&1
if [ "$(cat "$T/victim")" = victim ] && [ ! -L "$T/base3" ] && [ "$(mode "$T/base3")" = 600 ]; then
	ok "baseline: a symlink at its path is replaced, not followed"
else bad "baseline through base3: victim '$(cat "$T/victim")', base3 $(ls -l "$T/base3" 2>&1)"; fi

# recording: 0600; a symlink refused with a message, exit 1
"$B/tenantop" --batch --proc $F --record "$T/rec" >/dev/null 2>&1
[ "$(mode "$T/rec")" = 600 ] && ok "recording created 0600" || bad "recording mode $(mode "$T/rec")"
ln -s "$T/victim" "$T/rec-link"
out=$("$B/tenantop" --batch --proc $F --record "$T/rec-link" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "a symbolic link" && [ "$(cat "$T/victim")" = victim ] &&
	ok "recording through a symlink refused -> 1: $out" || bad "recording through a symlink -> $rc: $out"

# alert log: 0600; a symlink refused
"$B/tenantop" --batch --proc $F --alert-log "$T/alerts" >/dev/null 2>&1
[ "$(mode "$T/alerts")" = 600 ] && ok "alert log created 0600" || bad "alert log mode $(mode "$T/alerts")"
ln -s "$T/victim" "$T/alerts-link"
out=$("$B/tenantop" --batch --proc $F --alert-log "$T/alerts-link" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "a symbolic link" && [ "$(cat "$T/victim")" = victim ] &&
	ok "alert log through a symlink refused -> 1: $out" || bad "alert log through a symlink -> $rc: $out"
[ "$(mode "$T/victim")" = 644 ] && ok "the target's mode untouched" || bad "victim mode $(mode "$T/victim")"
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
