#!/bin/bash
# Run once on be1 while building the base images: DRBD is Connected and UpToDate on both,
# this node is Primary. Makes the file system and the service data, then demotes.
set -euo pipefail
DATA=/var/opt/opscode/drbd/data
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 -L pc0 /dev/drbd0
mount /dev/drbd0 "$DATA"
PG="$DATA/postgresql_15"
mkdir -p "$PG" "$DATA/redis_lb"
chown postgres:postgres "$PG"
chmod 700 "$PG"
chown redis:redis "$DATA/redis_lb"
chpst -u postgres /usr/lib/postgresql/15/bin/initdb -D "$PG" -U postgres -A trust -E UTF8 --locale=C >/dev/null
cat >> "$PG/postgresql.conf" <<'CONF'
# lab
listen_addresses = '*'
unix_socket_directories = '/var/run/postgresql'
synchronous_commit = on
fsync = on
max_connections = 50
shared_buffers = 32MB
CONF
cat >> "$PG/pg_hba.conf" <<'CONF'
# lab networks
host all all 198.51.100.0/24 trust
host all all 192.0.2.0/24 trust
CONF
sync
umount "$DATA"
drbdadm secondary pc0
