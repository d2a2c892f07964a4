#!/bin/bash
# lab guest stage 2: PID 1 on the overlay root. Puts the node's files in place, brings up the
# links, the command channel, sshd, DRBD (back ends; mode `frontend` for fe1: no DRBD), then
# becomes runsvdir over /opt/opscode/service.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
export SVDIR=/opt/opscode/service
NODE= MODE= LABDIR=
for a in $(cat /proc/cmdline); do
    case "$a" in
        lab.node=*) NODE="${a#lab.node=}" ;;
        lab.mode=*) MODE="${a#lab.mode=}" ;;
        lab.dir=*) LABDIR="${a#lab.dir=}" ;;
    esac
done
say() { echo "lab-stage2[$NODE]: $*"; }
say "starting (mode $MODE)"
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -sfn /proc/self/fd /dev/fd

# kernel modules: the extracted kernel tree in the host cache, seen through the 9p root
KVER=$(uname -r)
mkdir -p /usr/lib/modules
ln -sfn "$(cat "$LABDIR/kmoddir")" "/usr/lib/modules/$KVER"
echo /sbin/modprobe > /proc/sys/kernel/modprobe
if [ "$MODE" = frontend ]; then
    modprobe -a virtio_console || say "modprobe failed"
else
    modprobe -a virtio_console drbd ext4 crc32c_generic || say "modprobe failed"
fi

# the node's files (configs, runit services, keys, the product binary)
cp -a --remove-destination "$LABDIR/$NODE/." / || say "copying node files failed"
hostname "$(cat /etc/hostname)"

# links: rename by MAC so eth0 = public, eth1 = cluster whatever the probe order
ip link set lo up
i=0
while read -r name mac; do
    for dev in /sys/class/net/*; do
        [ "$(cat "$dev/address" 2>/dev/null)" = "$mac" ] && ip link set "${dev##*/}" name "tmp$i"
    done
    i=$((i + 1))
done < "$LABDIR/$NODE.macs"
i=0
while read -r name mac; do ip link set "tmp$i" name "$name"; i=$((i + 1)); done < "$LABDIR/$NODE.macs"
# no IPv6 on the links: the public segment (qemu multicast) echoes a guest's own frames back
# to it, which IPv6 duplicate address detection would take for another host
while read -r dev addr; do
    sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" 2>/dev/null
    ip addr add "$addr" dev "$dev"
    ip link set "$dev" up
done < "$LABDIR/$NODE.addrs"

# command channel on the virtio-serial port named "ctl"
for p in /sys/class/virtio-ports/*; do
    if [ "$(cat "$p/name" 2>/dev/null)" = ctl ]; then
        setsid bash "$LABDIR/backdoor.sh" "/dev/${p##*/}" </dev/null >/dev/console 2>&1 &
    fi
done

mkdir -p /run/lock /run/sshd /run/postgresql /var/log/opscode/keepalived
chmod 0755 /run/sshd
chown postgres:postgres /run/postgresql
/usr/sbin/sshd -f /etc/ssh/lab/sshd_config || say "sshd failed"

case "$MODE" in
    frontend) ;;
    *) mkdir -p /dev/opscode; ln -sfn /dev/vda /dev/opscode/drbd ;;
esac
# DRBD's ping timeout scales with the lab's pace factor, which `lab up` writes once it has
# measured it: a PingAck late on a loaded machine drops the connection, a partition no test
# made (5 s at pace 1: DRBD's default 0.5 s, and 2 s, were both seen to run out while the
# flapping test loads both guests; DRBD's bounds are 0.5 s to 30 s)
case "$MODE" in
    frontend|bootstrap) ;;
    *)
        k=0
        while [ ! -s /etc/lab/pace ] && [ "$k" -lt 3000 ]; do sleep 0.2; k=$((k + 1)); done
        pt=$(awk '{ v = int($1 * 50 + 0.5); if (v < 5) v = 5; if (v > 300) v = 300; print v; exit }' /etc/lab/pace 2>/dev/null)
        if [ -n "$pt" ]; then
            sed -i "s/^\( *ping-timeout\) [0-9]*;/\1 $pt;/" /var/opt/opscode/drbd/etc/drbd.conf
        else
            say "no pace factor in /etc/lab/pace: DRBD keeps its default ping timeout"
        fi
        ;;
esac
# corosync's token timeout scales the same way (3 s at pace 1): a token late on a loaded
# machine splits the membership, which quorum would take for a partition
if [ -f /etc/corosync/corosync.conf ] && [ "$MODE" != frontend ]; then
    tk=$(awk '{ v = int($1 * 3000 + 0.5); if (v < 3000) v = 3000; if (v > 30000) v = 30000; print v; exit }' /etc/lab/pace 2>/dev/null)
    [ -n "$tk" ] && sed -i "s/^\( *token:\) [0-9]*$/\1 $tk/" /etc/corosync/corosync.conf
fi
case "$MODE" in
    frontend) mkdir -p /var/log/lab ;;
    bootstrap) touch /opt/opscode/sv/keepalived/down ;;
    hold) touch /opt/opscode/sv/keepalived/down; drbdadm up pc0 || say "drbdadm up failed" ;;
    *) drbdadm up pc0 || say "drbdadm up failed" ;;
esac
say "ready"
exec runsvdir -P /opt/opscode/service 'log: ..........................................................................................................................................'
