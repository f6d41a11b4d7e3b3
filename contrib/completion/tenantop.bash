# bash completion for tenantop and tenantop-sim                -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/tenantop (and a link named
# tenantop-sim); or source it from ~/.bashrc.

# The TCP ports something listens on here, numerically sorted, once each.
_tenantop_listening_ports()
{
    command -v ss >/dev/null 2>&1 || return 0
    ss -Htln 2>/dev/null | while read -r _ _ _ local _; do
        printf '%s\n' "${local##*:}"
    done | sort -un
}

# Complete a comma-separated list whose elements come from stdin: the part
# before the last comma is kept, the last element is matched.
_tenantop_list()
{
    local cur=$1 head="" last=$1 w
    if [[ $cur == *,* ]]; then
        head=${cur%,*},
        last=${cur##*,}
    fi
    COMPREPLY=()
    while IFS= read -r w; do
        [[ -n $w && $w == "$last"* && ,$head != *",$w,"* ]] && COMPREPLY+=("$head$w")
    done
    # a list goes on: no space after the element
    compopt -o nospace 2>/dev/null
}

_tenantop_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
    else
        local IFS=$'\n'
        if [[ $1 == -d ]]; then
            COMPREPLY=($(compgen -d -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        compopt -o filenames 2>/dev/null
    fi
}

_tenantop()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s || return
    else
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        if [[ $cur == --*=* ]]; then
            prev=${cur%%=*}
            cur=${cur#*=}
            split=true
        fi
    fi

    case $prev in
        -f | --format)
            COMPREPLY=($(compgen -W 'text json prometheus' -- "$cur"))
            return ;;
        --source)
            COMPREPLY=($(compgen -W 'auto bpf netlink proc' -- "$cur"))
            return ;;
        -p | --ports)
            _tenantop_list "$cur" < <(_tenantop_listening_ports)
            return ;;
        -u | --unix-paths)
            _tenantop_list "$cur" < <(printf '%s\n' none '*/mysqld.sock' '*/mysql.sock' '*/mariadb.sock' \
                '*/.s.PGSQL.*' '*/redis.sock' '*/redis-server.sock' '*/memcached.sock' '*/proxysql.sock')
            return ;;
        -c | --config | --record | --replay | --alert-log | --baseline | --textfile | --web-config)
            _tenantop_files
            return ;;
        --proc)
            _tenantop_files -d
            return ;;
        --listen)
            COMPREPLY=($(compgen -W '127.0.0.1:9817 [::1]:9817 :9817' -- "$cur"))
            return ;;
        --on-alert)
            COMPREPLY=($(compgen -c -- "$cur"))
            return ;;
        -n | --iterations | -d | --delay | --tcp-info-every | --baseline-learn)
            return ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-b --batch -n --iterations -d --delay -f --format
            --listen --textfile --web-config --demo -p --ports -a --all-ports --proc --source
            -u --unix-paths --no-netns --no-discover --tcp-info-every -c --config --alert-log
            --syslog --on-alert --baseline --baseline-learn --record --replay
            --sockets-only --no-db --read-only --no-color -h --help -V --version' -- "$cur"))
    fi
} && complete -F _tenantop tenantop

_tenantop_sim()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s || return
    else
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi
    case $prev in
        --tenant)
            COMPREPLY=($(compgen -W '-: -:estab=4,cw=2,reset=1,tw=3,procs=2,name=' -- "$cur"))
            compopt -o nospace 2>/dev/null
            return ;;
        --addr)
            COMPREPLY=($(compgen -W '127.0.0.1 ::1 ::' -- "$cur"))
            return ;;
        --ready-file)
            _tenantop_files
            return ;;
        --port | --src-addrs | --server-uid | --duration)
            return ;;
    esac
    $split && return
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--tenant --addr --port --src-addrs --server-uid
            --duration --ready-file --quiet --help' -- "$cur"))
    fi
} && complete -F _tenantop_sim tenantop-sim
