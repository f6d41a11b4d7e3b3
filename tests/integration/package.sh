#!/bin/sh
# The Debian package: `make deb` builds it out of a copy of the tree, lintian
# finds no error; dpkg -i installs the binaries, manual pages, completions,
# example config, rules and the exporter unit (not enabled); the installed
# tenantop --batch counts the installed simulator's population as ss does;
# man renders the page; dpkg --purge removes it all.
set -u
B=${BUILD:-build}
command -v dpkg-buildpackage >/dev/null 2>&1 || { echo "dpkg-buildpackage is missing (Debian package dpkg-dev)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "installing a package needs root"; exit 77; }
# one package test at a time on this machine (it installs system-wide)
exec 9>/tmp/tt-pkg-test.lock
flock 9
if dpkg -s tenantop >/dev/null 2>&1; then echo "a tenantop package is installed already: not touching it"; exit 77; fi
T=$(mktemp -d /tmp/tt-pkg.XXXXXX)
. tests/integration/lib.sh
SIM= installed=
lock() { flock /tmp/tt-apt.lock "$@"; }
trap 'kill $SIM 2>/dev/null; wait 2>/dev/null; [ -n "$installed" ] && lock dpkg --purge tenantop >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
before=$(git status --porcelain 2>/dev/null)
start=$(date +%s)
if make --no-print-directory deb DEB_DIR="$T/deb" > "$T/make.log" 2>&1; then
	ok "make deb: $(cd "$T/deb" && ls *.deb | tr '\n' ' ')in $(($(date +%s) - start)) s"
else
	bad "make deb failed:"; tail -30 "$T/make.log"; exit 1
fi
sed -n '/^lintian/,$p' "$T/make.log" | grep -v 'running with root privileges' | sed 's/^/       /'
grep -q '^E: ' "$T/make.log" && bad "lintian reports errors" || ok "lintian: no error"
[ "$(git status --porcelain 2>/dev/null)" = "$before" ] && ok "the worktree is as it was (built in a copy)" || bad "make deb changed the worktree: $(git status --porcelain | head -5)"
DEB=$(ls "$T"/deb/tenantop_*.deb)
if lock dpkg -i "$DEB" > "$T/dpkg.log" 2>&1; then installed=1; ok "dpkg -i ${DEB##*/}"; else bad "dpkg -i: $(cat "$T/dpkg.log")"; exit 1; fi
for f in /usr/bin/tenantop /usr/bin/tenantop-sim /usr/share/man/man1/tenantop.1.gz /usr/share/man/man1/tenantop-sim.1.gz \
	/usr/share/bash-completion/completions/tenantop /usr/share/bash-completion/completions/tenantop-sim \
	/usr/share/zsh/vendor-completions/_tenantop /usr/share/doc/tenantop/tenantop.conf.example \
	/usr/share/doc/tenantop/prometheus-rules.yml /usr/share/doc/tenantop/grafana-dashboard.json \
	/usr/share/doc/tenantop/tenantop.schema.json /lib/systemd/system/tenantop-exporter.service; do
	[ -e "$f" ] || bad "not installed: $f"
done
[ $fails -eq 0 ] && ok "binaries, manual pages, completions, example config, rules, dashboard, schema and unit installed"
grep -q '^ExecStart=/usr/bin/tenantop ' /lib/systemd/system/tenantop-exporter.service && ok "the unit runs /usr/bin/tenantop" || bad "unit: $(grep ExecStart /lib/systemd/system/tenantop-exporter.service)"
ls /etc/systemd/system/*.wants/tenantop-exporter.service >/dev/null 2>&1 && bad "the exporter unit is enabled" || ok "the exporter unit is not enabled"
case "$(/usr/bin/tenantop --version)" in "tenantop $(sed -n 's/^VERSION *:= *//p' Makefile)"*) true;; *) false;; esac && ok "$(/usr/bin/tenantop --version)" || bad "--version: $(/usr/bin/tenantop --version)"
# the installed binaries: a population, counted by tenantop and by ss
PORT=$(free_ports 1) || exit 1
/usr/bin/tenantop-sim --port $PORT --duration 600 --ready-file "$T/ready" --quiet --tenant "-:estab=3,cw=2,name=alpha" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
/usr/bin/tenantop --batch --format json --ports $PORT > "$T/out.json" 2>"$T/tt.err" && ok "/usr/bin/tenantop --batch --format json" || bad "tenantop --batch: $(cat "$T/tt.err")"
want=$(ss -tanH "( sport = :$PORT or dport = :$PORT )" | grep -vc LISTEN)
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(v for k, v in d["totals"].items() if k != "LISTEN"))' "$T/out.json")
[ "$got" = "$want" ] && [ "$want" -gt 0 ] && ok "it counts $got connection ends on port $PORT, as ss does" || bad "tenantop counts $got, ss $want"
/usr/bin/tenantop --batch --ports $PORT > "$T/out.txt" 2>&1 && grep -q . "$T/out.txt" && ok "/usr/bin/tenantop --batch (text)" || bad "text: $(cat "$T/out.txt")"
# the manual through man's own search path, and completions from their installed place
[ "$(man -w tenantop 2>&1)" = /usr/share/man/man1/tenantop.1.gz ] && ok "man -w tenantop: /usr/share/man/man1/tenantop.1.gz" || bad "man -w: $(man -w tenantop 2>&1)"
MANWIDTH=80 MANPAGER=cat man tenantop > "$T/man.txt" 2> "$T/man.err"
grep -q 'tenantop - live, per-tenant view' "$T/man.txt" && [ ! -s "$T/man.err" ] && ok "man tenantop renders ($(wc -l < "$T/man.txt") lines, nothing on stderr)" || bad "man tenantop: $(head -3 "$T/man.err")"
MANWIDTH=80 MANPAGER=cat man tenantop-sim 2>&1 | grep -q 'tenantop-sim - make a known population' && ok "man tenantop-sim renders" || bad "man tenantop-sim"
got=$(bash --norc -c '. /usr/share/bash-completion/bash_completion; __load_completion tenantop-sim; __load_completion tenantop; complete -p tenantop tenantop-sim' 2>&1)
[ "$got" = "complete -F _tenantop tenantop
complete -F _tenantop_sim tenantop-sim" ] && ok "bash-completion loads both from /usr/share/bash-completion/completions" || bad "bash: $got"
lock dpkg --purge tenantop > "$T/purge.log" 2>&1 && installed= && ok "dpkg --purge tenantop" || bad "purge: $(cat "$T/purge.log")"
left=""
for f in /usr/bin/tenantop /usr/bin/tenantop-sim /usr/share/man/man1/tenantop.1.gz /usr/share/doc/tenantop \
	/usr/share/bash-completion/completions/tenantop /lib/systemd/system/tenantop-exporter.service; do
	[ -e "$f" ] && left="$left $f"
done
dpkg -s tenantop >/dev/null 2>&1 && left="$left (dpkg still knows it)"
[ -z "$left" ] && ok "nothing left after the purge" || bad "left after the purge:$left"
echo "  ($(($(date +%s) - start)) s)"
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
