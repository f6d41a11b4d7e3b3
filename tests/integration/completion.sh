#!/bin/sh
# Shell completions: bash's function driven as readline would (COMP_WORDS,
# COMP_CWORD, then COMPREPLY read back), with bash-completion loaded and
# without it; zsh's file parses, compinit binds it, and an interactive zsh
# in a pseudo-terminal offers the same candidates after Tab.
set -u
B=${BUILD:-build}
T=$(mktemp -d /tmp/tt-compl.XXXXXX)
. tests/integration/lib.sh
LPID=
trap 'kill $LPID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
command -v bash >/dev/null 2>&1 || { echo "bash is missing"; exit 77; }
F=$PWD/contrib/completion/tenantop.bash
BC=/usr/share/bash-completion/bash_completion
# a listener on a free port: the --ports suggestions must hold it
PORT=$(free_ports 1) || exit 1
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); open(sys.argv[2], "w").close(); time.sleep(60)' \
	$PORT "$T/listening" &
LPID=$!
i=0; while [ ! -f "$T/listening" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
# comp LOADER WORDS...: the replies, one a line, for the last word being typed
comp() {
	loader=$1; shift
	bash --norc --noprofile -c '
		loader=$1 f=$2; shift 2
		[ "$loader" = bc ] && . /usr/share/bash-completion/bash_completion
		. "$f"
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		fn=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$loader" "$F" "$@" | sort
}
# expect LOADER DESCRIPTION WANT WORDS...: WANT = the replies joined by spaces
expect() {
	l=$1 d=$2 want=$3; shift 3
	got=$(comp "$l" "$@" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] && ok "[$l] $d: $got" || bad "[$l] $d: got '$got', want '$want'"
}
loaders="plain"
[ -f "$BC" ] && loaders="bc plain" || echo "  (bash-completion not installed: only the fallback is driven)"
cd "$T"; mkdir -p conf.d rec; : > tenantop.conf; : > rec/day1.ttrec
for l in $loaders; do
	expect $l "--format values" "json prometheus text" tenantop --batch --format ""
	expect $l "-f j" "json" tenantop -f j
	expect $l "--source values" "auto bpf netlink proc" tenantop --source ""
	expect $l "--source=n (split at =)" "netlink" tenantop --source=n
	expect $l "options after --re" "--read-only --record --replay" tenantop --re
	expect $l "--config files" "tenantop.conf" tenantop --config tenantop.c
	expect $l "--replay files" "rec/day1.ttrec" tenantop --replay rec/d
	expect $l "--record files and folders" "rec" tenantop --record re
	expect $l "--proc: folders only" "conf.d" tenantop --proc c
	expect $l "tenantop-sim --addr" "127.0.0.1" tenantop-sim --addr 127
	expect $l "tenantop-sim options" "--duration" tenantop-sim --du
	# --ports: the ports ss says something listens on (ground truth), as a list
	# (listeners of other programs may come and go meanwhile: every port ss
	# lists before and after is offered, and nothing that ss lists at neither)
	lports() { ss -Htln | awk '{n = split($4, a, ":"); print a[n]}' | sort -u; }
	lports > "$T/before"
	comp $l tenantop --ports "" | sort -u > "$T/got"
	lports > "$T/after"
	lacking=$(comm -12 "$T/before" "$T/after" | comm -23 - "$T/got" | tr '\n' ' ')
	extra=$(sort -mu "$T/before" "$T/after" | comm -13 - "$T/got" | tr '\n' ' ')
	got=$(tr '\n' ' ' < "$T/got")
	[ -s "$T/got" ] && [ -z "$lacking$extra" ] && ok "[$l] --ports suggests what ss -tln lists ($(wc -l < "$T/got") ports)" || bad "[$l] --ports: got '$got', not offered '$lacking', not listening '$extra'"
	case " $got " in *" $PORT "*) ok "[$l] the test's listener $PORT is among them";; *) bad "[$l] listener $PORT missing: $got";; esac
	expect $l "--ports 5432,$PORT: the list goes on" "5432,$PORT" tenantop -p "5432,$PORT"
	got=$(comp $l tenantop --ports "$PORT," | grep -c "^$PORT,$PORT\$")
	[ "$got" = 0 ] && ok "[$l] a port already in the list is not offered again" || bad "[$l] $PORT offered twice"
done
cd - >/dev/null
# every long option of --help is completed (the list in the file is complete)
all=$(comp plain tenantop -- | tr '\n' ' ')
missing=""
for o in $("$B/tenantop" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	case " $all " in *" $o "*) ;; *) missing="$missing $o";; esac
done
[ -z "$missing" ] && ok "bash: every --help option is offered" || bad "bash does not offer:$missing"
all=$(comp plain tenantop-sim -- | tr '\n' ' ')
missing=""
for o in $("$B/tenantop-sim" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	case " $all " in *" $o "*) ;; *) missing="$missing $o";; esac
done
[ -z "$missing" ] && ok "bash: every tenantop-sim --help option is offered" || bad "bash (sim) does not offer:$missing"
# zsh: the file parses, compinit binds it to both commands, every option is in it
Z=$PWD/contrib/completion/_tenantop
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$Z" && ok "zsh -n _tenantop" || bad "zsh -n _tenantop"
	got=$(HOME=$T zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2/zcompdump"; print -r -- "$_comps[tenantop] $_comps[tenantop-sim]"; autoload +X _tenantop && print loaded' zsh "${Z%/*}" "$T" 2>&1)
	[ "$got" = "_tenantop _tenantop
loaded" ] && ok "zsh compinit binds _tenantop to tenantop and tenantop-sim, and it loads" || bad "zsh: '$got'"
	missing=""
	for o in $("$B/tenantop" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u) $("$B/tenantop-sim" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$Z" || missing="$missing $o"
	done
	[ -z "$missing" ] && ok "zsh: every --help option is in _tenantop" || bad "zsh lacks:$missing"
	# driven: an interactive zsh in a pseudo-terminal, Tab after the line
	if zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
		zc() { (cd "$T" && timeout 30 zsh -f "$OLDPWD/tests/integration/zsh_complete.zsh" "${Z%/*}" "$T/zcompdump" "$1") | sort -u | tr '\n' ' ' | sed 's/ $//'; }
		zexpect() { got=$(zc "$2"); [ "$got" = "$3" ] && ok "[zsh] $1: $got" || bad "[zsh] $1: got '$got', want '$3'"; }
		zexpect "--format values" "tenantop --format " "json prometheus text"
		zexpect "--source values" "tenantop --source " "auto bpf netlink proc"
		zexpect "options after --so" "tenantop --so" "--sockets-only --source"
		zexpect "--config files" "tenantop --config tenantop.c" "tenantop.conf"
		zexpect "--proc: folders only" "tenantop --proc c" "conf.d"
		zexpect "tenantop-sim options" "tenantop-sim --ad" "--addr"
		got=" $(zc "tenantop --ports ") "
		case $got in *" $PORT "*) ok "[zsh] --ports offers the test's listener $PORT (of:$got)";; *) bad "[zsh] --ports: $got";; esac
	else
		echo "  (zsh/zpty missing: zsh's completion loaded, not driven)"
	fi
else
	echo "  (zsh not installed: its completion not checked)"
fi
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
