#!/bin/bash
# Minimal clone of Enterprise Chef 11's cluster.sh ("Cluster like it's 1999") for the lab.
# Usage: cluster.sh master|backup|fault
LOGNAME=/var/log/opscode/keepalived/cluster.log
export SVWAIT=30
export SVDIR=/opt/opscode/service
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
KA_DIR=/var/opt/opscode/keepalived
REQUESTED=$KA_DIR/requested_cluster_status
CURRENT=$KA_DIR/current_cluster_status
LOCKFILE=$KA_DIR/cluster-transition.lock
DRBD_DEVICE=/dev/drbd0
DRBD_DATA=/var/opt/opscode/drbd/data
DRBD_RESOURCE=pc0
SERVICES=(postgresql redis_lb)   # the keepalive_me services, ascending

log_me() { echo "$1"; echo "$(date -R): $1" >> "$LOGNAME"; }
error_exit() { log_me "$1"; echo "cluster.sh: $1" >&2; exit 1; }

lock() {
    if [ -f "$LOCKFILE" ]; then
        pid=$(cat "$LOCKFILE" 2>/dev/null)
        if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
            log_me "Requested transition to $1"
            error_exit "Requested transition to $1, but state transition already running."
        fi
    fi
    trap 'rm -f "$LOCKFILE"' INT TERM EXIT
    echo $$ > "$LOCKFILE"
}

unlock() { rm -f "$LOCKFILE"; trap - INT TERM EXIT; }

transition() {
    log_me "Transitioning to $1"
    case "$1" in
        master)
            for ((i = 300; i > 0; i--)); do
                log_me "Attempting DRBD primary takeover - attempts left $i"
                drbdadm primary "$DRBD_RESOURCE" >> "$LOGNAME" 2>&1 && break
                [ "$i" -eq 1 ] && error_exit "Cannot become drbd primary!"
                if [ "$(cat "$REQUESTED")" != master ]; then
                    log_me "Requested state transition to backup, aborting trying to aquire DRBD primary"
                    return
                fi
                sleep 1
            done
            log_me "DRBD primary takeover successful"
            log_me "Mounting $DRBD_DEVICE at $DRBD_DATA"
            mountpoint -q "$DRBD_DATA" || mount "$DRBD_DEVICE" "$DRBD_DATA" >> "$LOGNAME" 2>&1 || true
            for svc in "${SERVICES[@]}"; do
                log_me "Starting service $svc"
                sv start "$svc" >> "$LOGNAME" 2>&1 || error_exit "Cannot start $svc"
            done
            ;;
        backup)
            for ((j = ${#SERVICES[@]} - 1; j >= 0; j--)); do
                svc=${SERVICES[$j]}
                log_me "Stopping service $svc"
                sv force-stop "$svc" >> "$LOGNAME" 2>&1 || error_exit "Cannot kill $svc"
            done
            for ((i = 300; i > 0; i--)); do
                log_me "Attempting to become DRBD secondary - attempts left $i"
                if mountpoint -q "$DRBD_DATA"; then
                    fuser -km "$DRBD_DATA" >> "$LOGNAME" 2>&1
                    umount -f "$DRBD_DATA" >> "$LOGNAME" 2>&1 || true
                fi
                drbdadm secondary "$DRBD_RESOURCE" >> "$LOGNAME" 2>&1 && break
                [ "$i" -eq 1 ] && error_exit "Cannot become DRBD secondary"
                sleep 1
            done
            ;;
        fault) ;;   # "we are on the way elsewhere"
        *) ;;
    esac
}

echo "$1" > "$REQUESTED"
lock "$1"
state=$1
transition "$state"
log_me "Transitioned to $state"
while [ "$(cat "$REQUESTED")" != "$state" ]; do
    state=$(cat "$REQUESTED")
    transition "$state"
    log_me "Transitioned to $state"
done
unlock
echo "$state" > "$CURRENT"
