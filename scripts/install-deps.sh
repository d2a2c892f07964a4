#!/usr/bin/env bash
# Install what the private-chef-ctl lab (qemu two-node DRBD/keepalived/runit pair) and the unit
# tests need, on Debian 12. Idempotent: installs only missing packages, downloads the guest
# kernel only when the cache lacks it. Never starts services on the host.
# Runs `apt-get update` itself when something is missing. Run as root (or with sudo).
set -euo pipefail

PKGS=(qemu-system-x86 qemu-utils busybox-static cpio kmod drbd-utils keepalived runit
      postgresql redis-server openssh-server openssh-client iproute2 iputils-ping psmisc
      coreutils procps util-linux e2fsprogs)

SUDO=()
if [ "$(id -u)" != 0 ]; then SUDO=(sudo); fi

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
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
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    cleanup
    trap - EXIT
else
    echo "install-deps: all packages present"
fi

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
echo "install-deps: done (guest kernel $KVER)"
