_private__chef__ctl() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="private__chef__ctl"
                ;;
            private__chef__ctl,backup-recover)
                cmd="private__chef__ctl__subcmd__backup__subcmd__recover"
                ;;
            private__chef__ctl,check)
                cmd="private__chef__ctl__subcmd__check"
                ;;
            private__chef__ctl,cluster-transition)
                cmd="private__chef__ctl__subcmd__cluster__subcmd__transition"
                ;;
            private__chef__ctl,completions)
                cmd="private__chef__ctl__subcmd__completions"
                ;;
            private__chef__ctl,drbd-handler)
                cmd="private__chef__ctl__subcmd__drbd__subcmd__handler"
                ;;
            private__chef__ctl,drbd-status)
                cmd="private__chef__ctl__subcmd__drbd__subcmd__status"
                ;;
            private__chef__ctl,drbd-witness)
                cmd="private__chef__ctl__subcmd__drbd__subcmd__witness"
                ;;
            private__chef__ctl,frontend-status)
                cmd="private__chef__ctl__subcmd__frontend__subcmd__status"
                ;;
            private__chef__ctl,gen-docs)
                cmd="private__chef__ctl__subcmd__gen__subcmd__docs"
                ;;
            private__chef__ctl,graceful-kill)
                cmd="private__chef__ctl__subcmd__graceful__subcmd__kill"
                ;;
            private__chef__ctl,ha-diagnose)
                cmd="private__chef__ctl__subcmd__ha__subcmd__diagnose"
                ;;
            private__chef__ctl,ha-recover)
                cmd="private__chef__ctl__subcmd__ha__subcmd__recover"
                ;;
            private__chef__ctl,ha-status)
                cmd="private__chef__ctl__subcmd__ha__subcmd__status"
                ;;
            private__chef__ctl,help)
                cmd="private__chef__ctl__subcmd__help"
                ;;
            private__chef__ctl,hup)
                cmd="private__chef__ctl__subcmd__hup"
                ;;
            private__chef__ctl,int)
                cmd="private__chef__ctl__subcmd__int"
                ;;
            private__chef__ctl,kill)
                cmd="private__chef__ctl__subcmd__kill"
                ;;
            private__chef__ctl,master-recover)
                cmd="private__chef__ctl__subcmd__master__subcmd__recover"
                ;;
            private__chef__ctl,metrics)
                cmd="private__chef__ctl__subcmd__metrics"
                ;;
            private__chef__ctl,once)
                cmd="private__chef__ctl__subcmd__once"
                ;;
            private__chef__ctl,preserve-copy)
                cmd="private__chef__ctl__subcmd__preserve__subcmd__copy"
                ;;
            private__chef__ctl,quorum-status)
                cmd="private__chef__ctl__subcmd__quorum__subcmd__status"
                ;;
            private__chef__ctl,quorum-watch)
                cmd="private__chef__ctl__subcmd__quorum__subcmd__watch"
                ;;
            private__chef__ctl,restart)
                cmd="private__chef__ctl__subcmd__restart"
                ;;
            private__chef__ctl,service-list)
                cmd="private__chef__ctl__subcmd__service__subcmd__list"
                ;;
            private__chef__ctl,show-config)
                cmd="private__chef__ctl__subcmd__show__subcmd__config"
                ;;
            private__chef__ctl,start)
                cmd="private__chef__ctl__subcmd__start"
                ;;
            private__chef__ctl,status)
                cmd="private__chef__ctl__subcmd__status"
                ;;
            private__chef__ctl,stop)
                cmd="private__chef__ctl__subcmd__stop"
                ;;
            private__chef__ctl,tail)
                cmd="private__chef__ctl__subcmd__tail"
                ;;
            private__chef__ctl,term)
                cmd="private__chef__ctl__subcmd__term"
                ;;
            private__chef__ctl,usr1)
                cmd="private__chef__ctl__subcmd__usr1"
                ;;
            private__chef__ctl,usr2)
                cmd="private__chef__ctl__subcmd__usr2"
                ;;
            private__chef__ctl__subcmd__help,backup-recover)
                cmd="private__chef__ctl__subcmd__help__subcmd__backup__subcmd__recover"
                ;;
            private__chef__ctl__subcmd__help,check)
                cmd="private__chef__ctl__subcmd__help__subcmd__check"
                ;;
            private__chef__ctl__subcmd__help,cluster-transition)
                cmd="private__chef__ctl__subcmd__help__subcmd__cluster__subcmd__transition"
                ;;
            private__chef__ctl__subcmd__help,completions)
                cmd="private__chef__ctl__subcmd__help__subcmd__completions"
                ;;
            private__chef__ctl__subcmd__help,drbd-handler)
                cmd="private__chef__ctl__subcmd__help__subcmd__drbd__subcmd__handler"
                ;;
            private__chef__ctl__subcmd__help,drbd-status)
                cmd="private__chef__ctl__subcmd__help__subcmd__drbd__subcmd__status"
                ;;
            private__chef__ctl__subcmd__help,drbd-witness)
                cmd="private__chef__ctl__subcmd__help__subcmd__drbd__subcmd__witness"
                ;;
            private__chef__ctl__subcmd__help,frontend-status)
                cmd="private__chef__ctl__subcmd__help__subcmd__frontend__subcmd__status"
                ;;
            private__chef__ctl__subcmd__help,gen-docs)
                cmd="private__chef__ctl__subcmd__help__subcmd__gen__subcmd__docs"
                ;;
            private__chef__ctl__subcmd__help,graceful-kill)
                cmd="private__chef__ctl__subcmd__help__subcmd__graceful__subcmd__kill"
                ;;
            private__chef__ctl__subcmd__help,ha-diagnose)
                cmd="private__chef__ctl__subcmd__help__subcmd__ha__subcmd__diagnose"
                ;;
            private__chef__ctl__subcmd__help,ha-recover)
                cmd="private__chef__ctl__subcmd__help__subcmd__ha__subcmd__recover"
                ;;
            private__chef__ctl__subcmd__help,ha-status)
                cmd="private__chef__ctl__subcmd__help__subcmd__ha__subcmd__status"
                ;;
            private__chef__ctl__subcmd__help,help)
                cmd="private__chef__ctl__subcmd__help__subcmd__help"
                ;;
            private__chef__ctl__subcmd__help,hup)
                cmd="private__chef__ctl__subcmd__help__subcmd__hup"
                ;;
            private__chef__ctl__subcmd__help,int)
                cmd="private__chef__ctl__subcmd__help__subcmd__int"
                ;;
            private__chef__ctl__subcmd__help,kill)
                cmd="private__chef__ctl__subcmd__help__subcmd__kill"
                ;;
            private__chef__ctl__subcmd__help,master-recover)
                cmd="private__chef__ctl__subcmd__help__subcmd__master__subcmd__recover"
                ;;
            private__chef__ctl__subcmd__help,metrics)
                cmd="private__chef__ctl__subcmd__help__subcmd__metrics"
                ;;
            private__chef__ctl__subcmd__help,once)
                cmd="private__chef__ctl__subcmd__help__subcmd__once"
                ;;
            private__chef__ctl__subcmd__help,preserve-copy)
                cmd="private__chef__ctl__subcmd__help__subcmd__preserve__subcmd__copy"
                ;;
            private__chef__ctl__subcmd__help,quorum-status)
                cmd="private__chef__ctl__subcmd__help__subcmd__quorum__subcmd__status"
                ;;
            private__chef__ctl__subcmd__help,quorum-watch)
                cmd="private__chef__ctl__subcmd__help__subcmd__quorum__subcmd__watch"
                ;;
            private__chef__ctl__subcmd__help,restart)
                cmd="private__chef__ctl__subcmd__help__subcmd__restart"
                ;;
            private__chef__ctl__subcmd__help,service-list)
                cmd="private__chef__ctl__subcmd__help__subcmd__service__subcmd__list"
                ;;
            private__chef__ctl__subcmd__help,show-config)
                cmd="private__chef__ctl__subcmd__help__subcmd__show__subcmd__config"
                ;;
            private__chef__ctl__subcmd__help,start)
                cmd="private__chef__ctl__subcmd__help__subcmd__start"
                ;;
            private__chef__ctl__subcmd__help,status)
                cmd="private__chef__ctl__subcmd__help__subcmd__status"
                ;;
            private__chef__ctl__subcmd__help,stop)
                cmd="private__chef__ctl__subcmd__help__subcmd__stop"
                ;;
            private__chef__ctl__subcmd__help,tail)
                cmd="private__chef__ctl__subcmd__help__subcmd__tail"
                ;;
            private__chef__ctl__subcmd__help,term)
                cmd="private__chef__ctl__subcmd__help__subcmd__term"
                ;;
            private__chef__ctl__subcmd__help,usr1)
                cmd="private__chef__ctl__subcmd__help__subcmd__usr1"
                ;;
            private__chef__ctl__subcmd__help,usr2)
                cmd="private__chef__ctl__subcmd__help__subcmd__usr2"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        private__chef__ctl)
            opts="-v -h -V --config --verbose --help --version ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy quorum-status quorum-watch frontend-status metrics check completions gen-docs help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__backup__subcmd__recover)
            opts="-y -v -h --yes --dry-run --json --force --confirm-resource --attempts --retry-secs --command-timeout --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --confirm-resource)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --attempts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --retry-secs)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --command-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__check)
            opts="-t -v -h --warning-oos --critical-oos --warning-eta --critical-eta --warning-latency --critical-latency --timeout --no-peer --no-frontends --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --warning-oos)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --critical-oos)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --warning-eta)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --critical-eta)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --warning-latency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --critical-latency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -t)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__cluster__subcmd__transition)
            opts="-v -h --attempts --retry-secs --command-timeout --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --attempts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --retry-secs)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --command-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__completions)
            opts="-v -h --config --verbose --help bash zsh fish"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__drbd__subcmd__handler)
            opts="-v -h --config --verbose --help fence-peer after-resync-target split-brain initial-split-brain"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__drbd__subcmd__status)
            opts="-v -h --file --json --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__drbd__subcmd__witness)
            opts="-v -h --interval --once --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__frontend__subcmd__status)
            opts="-v -h --json --timeout --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__gen__subcmd__docs)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__graceful__subcmd__kill)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__ha__subcmd__diagnose)
            opts="-v -h --json --no-frontends --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__ha__subcmd__recover)
            opts="-y -v -h --yes --confirm-resource --dry-run --json --victim --promote --sync-timeout --config --verbose --help auto scenario-1 scenario-2 scenario-3 scenario-4 scenario-5 split-brain"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --confirm-resource)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --victim)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --promote)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sync-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__ha__subcmd__status)
            opts="-v -h --json --peer --frontends --watch --interval --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help)
            opts="ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy quorum-status quorum-watch frontend-status metrics check completions gen-docs help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__backup__subcmd__recover)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__check)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__cluster__subcmd__transition)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__completions)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__drbd__subcmd__handler)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__drbd__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__drbd__subcmd__witness)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__frontend__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__gen__subcmd__docs)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__graceful__subcmd__kill)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__ha__subcmd__diagnose)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__ha__subcmd__recover)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__ha__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__hup)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__int)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__kill)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__master__subcmd__recover)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__metrics)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__once)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__preserve__subcmd__copy)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__quorum__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__quorum__subcmd__watch)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__restart)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__service__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__show__subcmd__config)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__start)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__stop)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__tail)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__term)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__usr1)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__help__subcmd__usr2)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__hup)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__int)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__kill)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__master__subcmd__recover)
            opts="-y -v -h --yes --dry-run --json --force --confirm-resource --attempts --retry-secs --command-timeout --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --confirm-resource)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --attempts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --retry-secs)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --command-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__metrics)
            opts="-v -h --textfile --listen --interval --no-peer --no-frontends --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --textfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__once)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__preserve__subcmd__copy)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__quorum__subcmd__status)
            opts="-q -v -h --quiet --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__quorum__subcmd__watch)
            opts="-v -h --file --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__restart)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__service__subcmd__list)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__show__subcmd__config)
            opts="-v -h --json --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__start)
            opts="-v -h --yes --dry-run --force --wait --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --wait)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__status)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__stop)
            opts="-v -h --yes --dry-run --force --wait --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --wait)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__tail)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__term)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__usr1)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        private__subcmd__chef__subcmd__ctl__subcmd__usr2)
            opts="-v -h --config --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _private__chef__ctl -o nosort -o bashdefault -o default private-chef-ctl
else
    complete -F _private__chef__ctl -o bashdefault -o default private-chef-ctl
fi
