#!/usr/bin/env bash
# Install what the private-chef-ctl lab (qemu two-node DRBD/keepalived/runit pair) and the unit
# tests need, on Debian 12. Idempotent: installs only missing packages, downloads the guest
# kernel only when the cache lacks it. Never starts services on the host.
# Runs `apt-get update` itself when something is missing. Run as root (or with sudo).
set -euo pipefail

PKGS=(qemu-system-x86 qemu-utils busybox-static cpio kmod drbd-utils keepalived runit
      postgresql redis-server openssh-server openssh-client iproute2 iputils-ping psmisc
      coreutils procps util-linux e2fsprogs openssl curl ca-certificates
      prometheus    # promtool: the alert rules' unit tests and `promtool check metrics`
      prometheus-node-exporter    # the lab's back ends: the textfile collector reads our metrics
      corosync corosync-qdevice   # the back ends' quorum: votequorum and its quorum device client
      corosync-qnetd)             # the arbiter (the third vote) on fe1

SUDO=()
if [ "$(id -u)" != 0 ]; then SUDO=(sudo); fi

# Every command the demo, the tests and the lab run, with the Debian package that ships it.
# Checked after the install too: apt may remove a package to satisfy another (a newer
# qemu-utils from another suite is removed to install Debian 12's qemu-system-x86).
CMDS=(
    qemu-img:qemu-utils
    qemu-system-x86_64:qemu-system-x86
    drbdadm:drbd-utils
    drbdsetup:drbd-utils
    drbdmeta:drbd-utils
    keepalived:keepalived
    runsvdir:runit
    runsv:runit
    sv:runit
    psql:postgresql-client
    /usr/lib/postgresql/15/bin/postgres:postgresql-15
    /usr/lib/postgresql/15/bin/initdb:postgresql-15
    redis-server:redis-server
    redis-cli:redis-tools
    sshd:openssh-server
    ssh:openssh-client
    ssh-keygen:openssh-client
    busybox:busybox-static
    cpio:cpio
    depmod:kmod
    modprobe:kmod
    mkfs.ext4:e2fsprogs
    ip:iproute2
    ping:iputils-ping
    fuser:psmisc
    timeout:coreutils
    base64:coreutils
    pkill:procps
    flock:util-linux
    mount:mount
    python3:python3
    /usr/bin/python3:python3
    openssl:openssl
    curl:curl
    dpkg-deb:dpkg
    apt-get:apt
    promtool:prometheus
    /usr/bin/prometheus-node-exporter:prometheus-node-exporter
    corosync:corosync
    corosync-quorumtool:corosync
    corosync-cmapctl:corosync
    corosync-qdevice:corosync-qdevice
    corosync-qdevice-tool:corosync-qdevice
    corosync-qnetd:corosync-qnetd
    corosync-qnetd-tool:corosync-qnetd
)

# have CMD: an absolute path that is executable, or a command on root's PATH (sbin included).
have() {
    case "$1" in
        /*) [ -x "$1" ] ;;
        *) PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing_commands() {   # prints "cmd:pkg" for every command not found
    local e
    for e in "${CMDS[@]}"; do
        have "${e%%:*}" || printf '%s\n' "$e"
    done
}

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# a package may be installed while a command it should bring is gone (or another package
# that ships it was removed): ask for the package of every missing command as well
while IFS= read -r e; do
    [ -n "$e" ] && missing+=("${e#*:}")
done < <(missing_commands)
if [ "${#missing[@]}" -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
fi

apt_install() {   # apt_install PKG...: non-interactive, no daemon started on the host
    # Keep maintainer scripts from starting daemons on the host (postgresql, redis, sshd,
    # keepalived...). If a policy-rc.d already exists we leave it alone.
    created_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
        "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
        created_policy=1
    fi
    cleanup() { if [ "$created_policy" = 1 ]; then "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d; fi; }
    trap cleanup EXIT
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
    cleanup
    trap - EXIT
}

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    apt_install "${missing[@]}"
else
    echo "install-deps: all packages present"
fi

# What the install removed (or never brought): install the packages of the missing commands
# once more, all in one apt run, so apt picks versions that fit each other (e.g. Debian 12's
# qemu-utils beside its qemu-system-x86), then fail naming whatever is still missing.
mapfile -t gone < <(missing_commands)
if [ "${#gone[@]}" -gt 0 ]; then
    mapfile -t pkgs < <(printf '%s\n' "${gone[@]}" | sed 's/^[^:]*://' | sort -u)
    echo "install-deps: commands missing after the install: ${gone[*]%%:*}; installing ${pkgs[*]}"
    apt_install "${pkgs[@]}"
    mapfile -t gone < <(missing_commands)
    if [ "${#gone[@]}" -gt 0 ]; then
        for e in "${gone[@]}"; do
            echo "install-deps: \`${e%%:*}\` not found (Debian package ${e#*:}): install it with apt-get install ${e#*:}" >&2
        done
        exit 1
    fi
fi
echo "install-deps: every command the lab and the tests need is present"

# Guest kernel: the current Debian linux-image-<ver>-amd64 (has DRBD 8.4 and 9p as modules),
# downloaded and extracted into the lab cache only (never installed on the host).
CACHE="${LAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/private-chef-ctl-lab}"
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1; }
KPKG=$(kernel_pkg)
if [ -z "$KPKG" ]; then
    "${SUDO[@]}" apt-get update -qq
    KPKG=$(kernel_pkg)
fi
if [ -z "$KPKG" ]; then
    echo "install-deps: cannot resolve the linux-image-*-amd64 package (apt-get update?)" >&2
    exit 1
fi
KVER=${KPKG#linux-image-}
KDIR="$CACHE/kernel/$KVER"
if [ -f "$KDIR/boot/vmlinuz-$KVER" ] && [ -f "$KDIR/lib/modules/$KVER/modules.dep" ]; then
    echo "install-deps: guest kernel $KVER already in $KDIR"
else
    echo "install-deps: fetching guest kernel $KPKG into $KDIR"
    mkdir -p "$CACHE/debs"
    (cd "$CACHE/debs" && apt-get download "$KPKG")
    DEB=$(ls -t "$CACHE/debs/${KPKG}_"*.deb | head -n1)
    rm -rf "$KDIR.tmp"
    mkdir -p "$KDIR.tmp"
    dpkg -x "$DEB" "$KDIR.tmp"
    # merged-/usr packages ship lib/modules under usr/lib; normalise to lib/modules
    if [ ! -d "$KDIR.tmp/lib/modules" ] && [ -d "$KDIR.tmp/usr/lib/modules" ]; then
        mkdir -p "$KDIR.tmp/lib"
        mv "$KDIR.tmp/usr/lib/modules" "$KDIR.tmp/lib/modules"
    fi
    depmod -b "$KDIR.tmp" "$KVER"
    rm -rf "$KDIR"
    mv "$KDIR.tmp" "$KDIR"
fi
# The guest kernel files the lab boots and loads: fail naming the one that is missing.
for f in "boot/vmlinuz-$KVER" "lib/modules/$KVER/modules.dep"; do
    if [ ! -s "$KDIR/$f" ]; then
        echo "install-deps: guest kernel file $KDIR/$f is missing (package $KPKG): remove $KDIR and run scripts/install-deps.sh again" >&2
        exit 1
    fi
done
for m in drbd 9p 9pnet_virtio virtio_net virtio_blk overlay; do
    if ! grep -Eq "(^|/)$m\.ko(\.xz|\.zst)?:" "$KDIR/lib/modules/$KVER/modules.dep" &&
       ! grep -Eq "(^|/)$m\.ko" "$KDIR/lib/modules/$KVER/modules.builtin" 2>/dev/null; then
        echo "install-deps: the guest kernel $KVER has no $m module (package $KPKG): the lab needs it" >&2
        exit 1
    fi
done
echo "install-deps: done (guest kernel $KVER)"
