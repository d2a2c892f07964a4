#!/bin/bash
# lab command channel. Request line: NONCE SECONDS BASE64(CMD). Reply line:
# NONCE RC o<BASE64(stdout)> e<BASE64(stderr)>. The port stays open (closing it would make the
# kernel drop host data sent meanwhile); read sees EOF while no host is connected.
port=$1
exec 3<>"$port" || exit 1
cd /
while true; do
    if ! read -r nonce secs b64 <&3; then
        sleep 0.2
        continue
    fi
    [ -n "$nonce" ] || continue
    cmd=$(printf '%s' "$b64" | base64 -d 2>/dev/null)
    timeout -k 5 "${secs:-60}" bash -c "$cmd" </dev/null >/tmp/.lab-out 2>/tmp/.lab-err
    rc=$?
    printf '%s %s o%s e%s\n' "$nonce" "$rc" "$(base64 -w0 /tmp/.lab-out)" "$(base64 -w0 /tmp/.lab-err)" >&3
done
