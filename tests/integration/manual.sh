#!/bin/sh
# The manual pages: they render without a warning (mandoc -T lint, groff -ww,
# man -l), and they name every option of both binaries' --help, every rule
# kind and rule key, [general] and [detect] key, alert kind, JSON field and
# metric the sources define.
set -u
B=${BUILD:-build}
T=$(mktemp -d /tmp/tt-manual.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "  ok   $*"; }
# (has runs at the end of pipelines, in subshells: failures are counted in a file)
bad() { echo "  FAIL $*"; echo x >> "$T/failed"; }
command -v mandoc >/dev/null 2>&1 || command -v groff >/dev/null 2>&1 || { echo "neither mandoc nor groff (Debian packages mandoc, groff)"; exit 77; }
for page in doc/tenantop.1 doc/tenantop-sim.1; do
	[ -f "$page" ] || { bad "$page is missing"; continue; }
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -T lint "$page" > "$T/lint" 2>&1
		[ ! -s "$T/lint" ] && ok "mandoc -T lint $page: nothing to say" || bad "mandoc -T lint $page: $(cat "$T/lint")"
	fi
	if command -v groff >/dev/null 2>&1; then
		groff -ww -z -man "$page" > "$T/groff" 2>&1
		[ ! -s "$T/groff" ] && ok "groff -ww -z -man $page: no warning" || bad "groff $page: $(cat "$T/groff")"
	fi
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man -l "$page" > "$T/out" 2> "$T/err"
		[ ! -s "$T/err" ] && [ "$(wc -l < "$T/out")" -gt 20 ] && ok "man -l $page renders $(wc -l < "$T/out") lines, no warning" \
			|| bad "man -l $page: $(head -5 "$T/err")"
	fi
done
# the manual's text with roff's escaped hyphens made plain
src() { sed -e 's/\\-/-/g' -e 's/\\e/\\/g' "$1"; }
src doc/tenantop.1 > "$T/tt.txt"
src doc/tenantop-sim.1 > "$T/sim.txt"
# has FILE WHAT: each line of stdin appears in FILE (as a fixed string)
has() {
	f=$1 what=$2
	missing=""; n=0
	while IFS= read -r w; do
		[ -n "$w" ] || continue
		n=$((n + 1)); grep -qF -- "$w" "$f" || missing="$missing '$w'"
	done
	[ $n -gt 0 ] || { bad "$what: none found in the sources (the extraction broke)"; return; }
	[ -z "$missing" ] && ok "$what: all $n in the manual" || bad "$what missing from the manual:$missing"
}
q() { grep -oE '"[a-z_]+"' | tr -d '"' | sort -u; }
"$B/tenantop" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | has "$T/tt.txt" "tenantop --help long options"
"$B/tenantop" --help | grep -oE -- '^ +-[a-zA-Z],' | tr -d ' ,' | sort -u | has "$T/tt.txt" "tenantop --help short options"
"$B/tenantop-sim" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | has "$T/sim.txt" "tenantop-sim --help long options"
# rule kinds and keys, config sections' keys, alert kinds, JSON keys, metrics: from the sources
sed -n 's/^static const char \*kind_names\[\] = {\(.*\)};/\1/p' src/model/rules.c | q | sed 's/^/.B /' | has "$T/tt.txt" "rule kinds (.B KIND)"
sed -n 's/^static const char \*rule_keys\[\] = {\(.*\)};/\1/p' src/app/config.c | q | has "$T/tt.txt" "rule keys"
sed -n '/"general"/,/"detect"/p' src/app/config.c | grep -oE 'strcmp\(name, "[a-z_]+"\)' | q | has "$T/tt.txt" "[general] keys"
grep -oE 'strcmp\(key, "[a-z_]+"\)' src/detect/thresholds.c | q | sed 's/^/.B /' | has "$T/tt.txt" "[detect] keys (.B KEY)"
grep -hoE '\[TT_AK_[A-Z_]+\] = \{"[a-z_]+"' src/detect/alerts.c | q | sed 's/^/.B /' | has "$T/tt.txt" "alert kinds (.B KIND)"
grep -hoE '"[a-z_]+":|jw_key\(&?[a-z]+, "[a-zA-Z_]+"' src/output/json.c | grep -oE '"[a-zA-Z_]+"' | tr -d '"' | sort -u | has "$T/tt.txt" "JSON fields"
grep -oE 'tenantop_[a-z_]+' src/output/prom.c | sort -u | has "$T/tt.txt" "Prometheus metrics"
# every key of the dashboard's help screen (src/ui/overlays.c help_keys), in the Keys section
sed -n '/^\.SS Keys/,/^\.SH CONFIGURATION/p' "$T/tt.txt" > "$T/keys.txt"
sed -n '/help_keys\[\]\[2\] = {/,/^};/p' src/ui/overlays.c | grep -oE '^\s*\{"([^"\\]|\\.)*"' | sed -e 's/^[[:space:]]*{"//' -e 's/"$//' -e 's/\\\\/\\/g' |
	tr ' /' '\n\n' | sed 's/,$//' | grep -vxE 'double|click|' | sort -u | has "$T/keys.txt" "dashboard keys (the help screen's)"
printf '%s\n' ".SH EXIT STATUS" ".SH ENVIRONMENT" ".SH FILES" ".SH EXAMPLES" ".SH CONFIGURATION" ".SH ALERTS" ".SH JSON OUTPUT" ".SS Keys" | has "$T/tt.txt" "sections"
fails=$(cat "$T/failed" 2>/dev/null | wc -l)
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
