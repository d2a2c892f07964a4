# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_private_chef_ctl_global_optspecs
    string join \n config= v/verbose h/help V/version
end

function __fish_private_chef_ctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_private_chef_ctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_private_chef_ctl_using_subcommand
    set -l cmd (__fish_private_chef_ctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -s V -l version -d 'Print version'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "ha-status" -d 'Show the status of high availability services (the original\'s checks, lines and exit codes)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "drbd-status" -d 'Show the DRBD devices from /proc/drbd (or a file) as a table or JSON'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "show-config" -d 'Show the effective topology and paths read from private-chef.rb'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "status" -d 'Show the status of all enabled services, or of one'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "start" -d 'Start services if they are down, restart them if they stop. `start keepalived` waits until this node settles as master or backup'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "stop" -d 'Stop services, and do not restart them. `stop keepalived` is the graceful failover: it returns when the peer is Primary and holds the VIP (exit 0), is stuck (1) or is refused (3)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "restart" -d 'Stop services if they are running, then start them again'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "once" -d 'Start services if they are down; do not restart them if they stop'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "hup" -d 'Send services a HUP'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "term" -d 'Send services a TERM'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "int" -d 'Send services an INT'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "kill" -d 'Send services a KILL'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "usr1" -d 'Send services a USR1'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "usr2" -d 'Send services a USR2'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "graceful-kill" -d 'Stop services, then SIGKILL whatever is left of their process groups'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "service-list" -d 'List all the services (enabled services end with a *)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "tail" -d 'Watch the service logs of all enabled services, or of one'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "cluster-transition" -d 'keepalived\'s notify entry point: move this node to master, backup, fault or stop'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "master-recover" -d 'Set this server to HA master state, ignoring VRRP (after checking preconditions)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "backup-recover" -d 'Set this server to HA backup state, ignoring VRRP'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "ha-diagnose" -d 'Name the pair\'s situation (healthy, scenario 1-5, split brain, …) from both nodes\' state'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "ha-recover" -d 'Walk through the recovery of a failure scenario, one confirmed step at a time'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "drbd-handler" -d 'DRBD handler entry point (drbd.conf `handlers { split-brain "…" }`)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "drbd-witness" -d 'Remember what this node saw of its DRBD peer since boot (an always-up service; the master transition reads its record before promoting)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "preserve-copy" -d 'Copy a split-brain victim\'s backing device to an image (free space checked first, mode 0600, no partial image left behind); used by ha-recover split-brain'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh or fish) to stdout'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "gen-docs" -d 'Write man pages and completion scripts generated from the command definitions'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-status" -l interval -d 'Seconds between redraws in --watch mode' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-status" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-status" -l json -d 'Print one JSON document instead of the classic lines'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-status" -l peer -d 'Also fetch the peer\'s status over ssh and show both nodes side by side (with --json: the peer\'s view under "peer"). The exit code stays this node\'s'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-status" -l watch -d 'Redraw in place every --interval seconds until Ctrl-C; shows a resync progress bar while DRBD syncs. Exits with the last report\'s code'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-status" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-status" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-status" -l file -d 'Read this file instead of /proc/drbd; `-` reads standard input' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-status" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-status" -l json -d 'Print the stable JSON document (version, api, proto, build, devices) instead of a table'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-status" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-status" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand show-config" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand show-config" -l json -d 'Print one JSON object (source, topology, servers, backend_vip, vrrp_interface, api_fqdn, keepalived_enabled, drbd_enabled, drbd, paths, skipped) instead of tables'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand show-config" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand show-config" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand status" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand status" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand start" -l wait -d 'keepalived only: seconds to wait for the failover to complete' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand start" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand start" -l yes -d 'keepalived only: do not ask for confirmation'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand start" -l dry-run -d 'keepalived only: print what would be done, change nothing'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand start" -l force -d 'keepalived only: stop it even when the peer cannot take over with current data'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand start" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand start" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand stop" -l wait -d 'keepalived only: seconds to wait for the failover to complete' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand stop" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand stop" -l yes -d 'keepalived only: do not ask for confirmation'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand stop" -l dry-run -d 'keepalived only: print what would be done, change nothing'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand stop" -l force -d 'keepalived only: stop it even when the peer cannot take over with current data'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand stop" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand stop" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand restart" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand restart" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand restart" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand once" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand once" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand once" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand hup" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand hup" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand hup" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand term" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand term" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand term" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand int" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand int" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand int" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand kill" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand kill" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand kill" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand usr1" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand usr1" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand usr1" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand usr2" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand usr2" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand usr2" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand graceful-kill" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand graceful-kill" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand graceful-kill" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand service-list" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand service-list" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand service-list" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand tail" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand tail" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand tail" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand cluster-transition" -l attempts -d 'Attempts of `drbdadm primary|secondary` and of unmount [default: keepalived[\'transition_attempts\'], else 300]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand cluster-transition" -l retry-secs -d 'Seconds between attempts [default: keepalived[\'transition_retry_secs\'], else 1]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand cluster-transition" -l command-timeout -d 'Time limit of each external command (drbdadm, mount, umount, sv), seconds [default: keepalived[\'transition_command_timeout\'], else 60]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand cluster-transition" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand cluster-transition" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand cluster-transition" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l confirm-resource -d 'master-recover --force on a node whose data may be stale, with --yes: the resource name, confirming that the peer\'s newer writes may be lost' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l attempts -d 'Attempts of `drbdadm primary|secondary` and of unmount [default: keepalived[\'transition_attempts\'], else 300]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l retry-secs -d 'Seconds between attempts [default: keepalived[\'transition_retry_secs\'], else 1]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l command-timeout -d 'Time limit of each external command (drbdadm, mount, umount, sv), seconds [default: keepalived[\'transition_command_timeout\'], else 60]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -s y -l yes -d 'Run the plan without asking for confirmation (needed when stdin is not a terminal)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l dry-run -d 'Print the checks and the plan; change nothing'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l json -d 'Print the checks and the plan as JSON; change nothing'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -l force -d 'master-recover: run although the checks refuse (local disk not UpToDate, peer Primary); a warning says what may be lost. No effect on backup-recover'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand master-recover" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l confirm-resource -d 'master-recover --force on a node whose data may be stale, with --yes: the resource name, confirming that the peer\'s newer writes may be lost' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l attempts -d 'Attempts of `drbdadm primary|secondary` and of unmount [default: keepalived[\'transition_attempts\'], else 300]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l retry-secs -d 'Seconds between attempts [default: keepalived[\'transition_retry_secs\'], else 1]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l command-timeout -d 'Time limit of each external command (drbdadm, mount, umount, sv), seconds [default: keepalived[\'transition_command_timeout\'], else 60]' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -s y -l yes -d 'Run the plan without asking for confirmation (needed when stdin is not a terminal)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l dry-run -d 'Print the checks and the plan; change nothing'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l json -d 'Print the checks and the plan as JSON; change nothing'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -l force -d 'master-recover: run although the checks refuse (local disk not UpToDate, peer Primary); a warning says what may be lost. No effect on backup-recover'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand backup-recover" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-diagnose" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-diagnose" -l json -d 'Print one JSON document ({"situation","details","title","exit_code","evidence", "next_step","local","peer"}) instead of text'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-diagnose" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-diagnose" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -l confirm-resource -d 'With --yes: the DRBD resource name (e.g. pc0), confirming the steps that can discard data (primary --force, wipe-md, create-md, connect --discard-my-data)' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -l victim -d 'split-brain: the node whose changes since the split are discarded (default: the one with fewer changes, i.e. the lower oos)' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -l promote -d 'scenario-5: the node to promote (default: the one with the lower oos; needed on a tie without a terminal)' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -l sync-timeout -d 'Seconds to wait for a resync to reach UpToDate/UpToDate' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -s y -l yes -d 'Run the plan without asking (needed when stdin is not a terminal). Steps that can discard data also need --confirm-resource'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -l dry-run -d 'Print the plan; change nothing'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -l json -d 'Print a JSON event stream (one object per line) instead of text'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand ha-recover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-handler" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-handler" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-handler" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-witness" -l interval -d 'Seconds between samples of /proc/drbd' -r
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-witness" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-witness" -l once -d 'Take one sample, write the record if it changed, print it, and exit'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-witness" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand drbd-witness" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand preserve-copy" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand preserve-copy" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand preserve-copy" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand completions" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand completions" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand gen-docs" -l config -d 'Topology file (a strict subset of Enterprise Chef\'s private-chef.rb Ruby DSL)' -r -F
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand gen-docs" -s v -l verbose -d 'Say more: e.g. the configuration lines that were skipped'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand gen-docs" -s h -l help -d 'Print help'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "ha-status" -d 'Show the status of high availability services (the original\'s checks, lines and exit codes)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "drbd-status" -d 'Show the DRBD devices from /proc/drbd (or a file) as a table or JSON'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "show-config" -d 'Show the effective topology and paths read from private-chef.rb'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "status" -d 'Show the status of all enabled services, or of one'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "start" -d 'Start services if they are down, restart them if they stop. `start keepalived` waits until this node settles as master or backup'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "stop" -d 'Stop services, and do not restart them. `stop keepalived` is the graceful failover: it returns when the peer is Primary and holds the VIP (exit 0), is stuck (1) or is refused (3)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "restart" -d 'Stop services if they are running, then start them again'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "once" -d 'Start services if they are down; do not restart them if they stop'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "hup" -d 'Send services a HUP'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "term" -d 'Send services a TERM'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "int" -d 'Send services an INT'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "kill" -d 'Send services a KILL'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "usr1" -d 'Send services a USR1'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "usr2" -d 'Send services a USR2'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "graceful-kill" -d 'Stop services, then SIGKILL whatever is left of their process groups'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "service-list" -d 'List all the services (enabled services end with a *)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "tail" -d 'Watch the service logs of all enabled services, or of one'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "cluster-transition" -d 'keepalived\'s notify entry point: move this node to master, backup, fault or stop'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "master-recover" -d 'Set this server to HA master state, ignoring VRRP (after checking preconditions)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "backup-recover" -d 'Set this server to HA backup state, ignoring VRRP'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "ha-diagnose" -d 'Name the pair\'s situation (healthy, scenario 1-5, split brain, …) from both nodes\' state'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "ha-recover" -d 'Walk through the recovery of a failure scenario, one confirmed step at a time'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "drbd-handler" -d 'DRBD handler entry point (drbd.conf `handlers { split-brain "…" }`)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "drbd-witness" -d 'Remember what this node saw of its DRBD peer since boot (an always-up service; the master transition reads its record before promoting)'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "preserve-copy" -d 'Copy a split-brain victim\'s backing device to an image (free space checked first, mode 0600, no partial image left behind); used by ha-recover split-brain'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "completions" -d 'Print a shell completion script (bash, zsh or fish) to stdout'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "gen-docs" -d 'Write man pages and completion scripts generated from the command definitions'
complete -c private-chef-ctl -n "__fish_private_chef_ctl_using_subcommand help; and not __fish_seen_subcommand_from ha-status drbd-status show-config status start stop restart once hup term int kill usr1 usr2 graceful-kill service-list tail cluster-transition master-recover backup-recover ha-diagnose ha-recover drbd-handler drbd-witness preserve-copy completions gen-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
