#!/bin/sh
# The command line: exit statuses and messages (2 for bad usage or a bad
# config, with FILE:LINE), --help, --version, batch over a fixture tree.
set -u
B=${BUILD:-build}
. tests/integration/lib.sh
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
# unreadable means say so: a proc root that is not one, a socket table of
# random bytes, a config that is not a text file, a hook that cannot run
mkdir "$T/empty"
expect 1 "--proc $T/empty: not a proc tree (no net/tcp, no process folders)" -- "$B/tenantop" --batch --proc "$T/empty"
expect 1 "--proc /: not a proc tree" -- "$B/tenantop" --batch --proc /
cp -r tests/fixtures/proc-basic "$T/garbled"
head -c 4000 /dev/urandom | tr '\n' 'x' | fold -w 150 > "$T/garbled/net/tcp"
: > "$T/garbled/net/tcp6"
expect 1 "socket table unreadable:" -- "$B/tenantop" --batch --proc "$T/garbled"
expect 1 '"complete":false,"reason":"socket table unreadable' -- "$B/tenantop" --batch --format json --proc "$T/garbled"
expect 1 "tenantop_attribution_complete 0" -- "$B/tenantop" --batch --format prometheus --proc "$T/garbled"
expect 1 "attribution PARTIAL: socket table unreadable" -- "$B/tenantop" --batch --proc "$T/garbled"
# a running exporter keeps serving, with attribution_complete 0
if command -v curl >/dev/null 2>&1; then
	xp=$(free_ports 1)
	"$B/tenantop" --batch --proc "$T/garbled" --listen 127.0.0.1:$xp --delay 0.2 2>"$T/xp.err" &
	xpid=$!
	i=0; got=
	while [ $i -lt 100 ]; do
		got=$(curl -s "http://127.0.0.1:$xp/metrics" | grep '^tenantop_attribution_complete ') && [ -n "$got" ] && break
		i=$((i + 1)); sleep 0.1
	done
	sleep 0.5
	if [ "$got" = "tenantop_attribution_complete 0" ] && kill -0 $xpid 2>/dev/null && grep -q "socket table unreadable" "$T/xp.err"; then
		echo "  ok   exporter over an unreadable table: still serving, '$got', said on stderr"
	else echo "  FAIL exporter over an unreadable table: '$got', $(cat "$T/xp.err")"; fails=$((fails + 1)); fi
	kill $xpid 2>/dev/null; wait $xpid 2>/dev/null
fi
expect 2 "$T: cannot read the config file: a directory" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --config "$T"
head -c 64 /dev/zero > "$T/nul.conf"
expect 2 "$T/nul.conf:1: a NUL byte" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --config "$T/nul.conf"
printf '[general]\nports = 3306 # \377\376\n' > "$T/ff.conf"
expect 2 "$T/ff.conf:2: byte 0xff is not UTF-8" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --config "$T/ff.conf"
expect 2 "--on-alert: $T/no-hook: No such file or directory" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --on-alert "$T/no-hook"
printf '#!/bin/sh\n' > "$T/hook"; chmod 0644 "$T/hook"
expect 2 "--on-alert: $T/hook: not an executable file" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --on-alert "$T/hook"
expect 2 "--on-alert: no-such-hook-xyz: no such program in PATH" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --on-alert no-such-hook-xyz
chmod 0755 "$T/hook"
expect 0 "tenantop" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --on-alert "$T/hook x"
# strict numbers and addresses
expect 2 "--listen wants ADDRESS:PORT with a port from 1 to 65535" -- "$B/tenantop" --batch --listen 127.0.0.1:99999
expect 2 "not '127.0.0.1:'" -- "$B/tenantop" --batch --listen 127.0.0.1:
expect 2 "not '127.0.0.1:+80'" -- "$B/tenantop" --batch --listen 127.0.0.1:+80
expect 2 "--delay wants seconds between 0.01 and 86400, not '0x10'" -- "$B/tenantop" --batch -d 0x10
expect 2 "not '1e1'" -- "$B/tenantop" --batch -d 1e1
expect 2 "not ' 2'" -- "$B/tenantop" --batch -d ' 2'
expect 2 "not 'inf'" -- "$B/tenantop" --batch -d inf
expect 0 "tenantop" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic -n 2 -d 0.05
expect 2 "--iterations wants a whole number from 1, not '+2'" -- "$B/tenantop" --batch -n +2
expect 2 "--tcp-info-every wants seconds" -- "$B/tenantop" --batch --tcp-info-every 0x1
# a busy port says the real cause (the port held by a listener of our own)
busy=$(free_ports 1)
python3 -c "import socket,sys,time; s=socket.socket(); s.bind(('127.0.0.1',$busy)); s.listen(); open('$T/busy','w').close(); time.sleep(30)" &
holder=$!
i=0; while [ ! -f "$T/busy" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect 1 "--listen 127.0.0.1:$busy: cannot listen there: Address already in use" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --listen 127.0.0.1:$busy -n 1
kill $holder 2>/dev/null; wait $holder 2>/dev/null
expect 1 "cannot listen there: Cannot assign requested address (not an address of this host)" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --listen 192.0.2.1:9817 -n 1
# duplicates in the config: FILE:LINE, exit status 2
printf '[general]\nports = 3306\nports = 5432\n' > "$T/dup1.conf"
expect 2 "$T/dup1.conf:3: 'ports' given twice in [general] (first on line 2)" -- "$B/tenantop" --batch --config "$T/dup1.conf"
printf '[detect]\nleak_age = 60s\n[general]\nports = 3306\n[detect]\nidle = 5m\n' > "$T/dup2.conf"
expect 2 "$T/dup2.conf:5: section [detect] given twice (first on line 1)" -- "$B/tenantop" --batch --config "$T/dup2.conf"
printf '[detect]\nlimit = 3306=151\nlimit = alice=10\nlimit = 3306 = 200\n' > "$T/dup3.conf"
expect 2 "$T/dup3.conf:4: a second limit for the same target (first on line 2)" -- "$B/tenantop" --batch --config "$T/dup3.conf"
printf '[rule pools]\nkind = user\n[rule pools]\nkind = user\n' > "$T/dup4.conf"
expect 2 "$T/dup4.conf:3: section [rule pools] given twice (first on line 1)" -- "$B/tenantop" --batch --config "$T/dup4.conf"
printf '[rule]\nkind = user\n[rule]\nkind = user\n' > "$T/two-rules.conf"
expect 0 "tenantop" -- "$B/tenantop" --batch --proc tests/fixtures/proc-basic --config "$T/two-rules.conf"
# --replay on what is not a recording: refused at once, never blocks
mkfifo "$T/fifo"
expect 2 "--replay $T/fifo: a FIFO, not a recording" -- timeout 10 "$B/tenantop" --batch --replay "$T/fifo"
expect 2 "--replay $T: a directory, not a recording" -- "$B/tenantop" --batch --replay "$T"
# --web-config: refused without --listen, bad lines with FILE:LINE, missing files named
printf 'basic_auth_users:\n  prom: secret\n' > "$T/web-bad.yml"
expect 2 "--web-config secures --listen" -- "$B/tenantop" --batch --web-config "$T/web-bad.yml"
expect 2 "$T/web-bad.yml:2: the password of 'prom' is not a bcrypt hash" -- "$B/tenantop" --batch --listen 127.0.0.1:9 --web-config "$T/web-bad.yml"
printf 'tls_server_config:\n  cert_file: nothere.pem\n  key_file: nothere.key\n' > "$T/web-nocert.yml"
expect 2 "--web-config $T/web-nocert.yml: cert_file $T/nothere.pem: No such file or directory" -- "$B/tenantop" --batch --listen 127.0.0.1:9 --web-config "$T/web-nocert.yml"
expect 2 "--web-config $T/none.yml: No such file or directory" -- "$B/tenantop" --batch --listen 127.0.0.1:9 --web-config "$T/none.yml"
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
