# Prints the candidates zsh's completion offers for a command line, one a
# line: zsh -f zsh_complete.zsh FPATH_DIR DUMPFILE 'tenantop --format '
# An interactive zsh runs in a pseudo-terminal (zsh/zpty) with compinit and
# the completion under test; compadd is wrapped to print what it is given;
# Tab is sent after the line (a line that offers nothing waits for the
# caller's timeout).
zmodload zsh/zpty || exit 77
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -d ${(q)2}"
zpty -w z 'PROMPT=""; RPROMPT=""; zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
zpty -w z 'compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local r=$?; (( $#__hits )) && print -l -- "<<" $__hits ">>" >&2; builtin compadd "$@"; return r; }'
zpty -w z 'exec 2>&1; bindkey "^I" complete-word; print -- SETUP-DONE'
zpty -r z line '*SETUP-DONE*'
zpty -r z line '*SETUP-DONE*'
# Tab; once the first candidates are printed, wipe the line and print a
# marker computed by the shell (its echo cannot match), so every candidate
# printed before it is read
zpty -n -w z "$3"$'\t'
zpty -r z out '*>>*'
zpty -n -w z $'\x15''print -- CAPTURE-$((6*7))-END'$'\n'
zpty -r z rest '*CAPTURE-42-END*'
zpty -d z
print -r -- "$out$rest" | tr -d '\r' | awk '/<<$/ {f = 1; next} /^>>/ {f = 0} f'
