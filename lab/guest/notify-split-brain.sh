#!/bin/bash
# DRBD split-brain handler (lab): record the event. drbdadm passes DRBD_RESOURCE etc.
echo "$(date -R): split-brain detected on resource ${DRBD_RESOURCE:-?} (minor ${DRBD_MINOR:-?}, peer ${DRBD_PEER_ADDRESS:-?}) on $(uname -n) args: $*" \
    >> /var/opt/opscode/drbd/split-brain.log
exit 0
