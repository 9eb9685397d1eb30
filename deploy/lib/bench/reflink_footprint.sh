#!/usr/bin/env bash
# Bytes on disk for many users with the same plugin on a reflinking file system, for deploy/bench:
# a sparse XFS image (reflink=1) loop-mounted under WORK, a data directory there with the sample
# catalog, PACKAGE published and bulk-installed for USERS users with the CLI. Then the copies'
# logical bytes (du --apparent-size of plugins/) against what the installs used on the file
# system (df's used, after sync, before and after: the copies, their metadata files, the rows).
#
#   reflink_footprint.sh BIN CATALOG PACKAGE_FOLDER USERS WORK
#
# Prints one line on stdout for the report: "measured USERS LOGICAL_BYTES USED_BYTES DB_BYTES"
# (DB_BYTES: what the database files grew by, part of USED_BYTES), or "skipped REASON" where it
# cannot run. Unmounts and removes the image on exit (deploy/bench's cleanup does too, if killed).
set -euo pipefail

bin=$1 catalog=$2 package=$3 users=$4 work=$5
image=$work/reflink.img mount=$work/reflink-mount
skip() { printf 'skipped %s\n' "$*"; exit 0; }

[[ $(id -u) == 0 ]] || skip "not root (a loop mount needs it)"
command -v mkfs.xfs >/dev/null || skip "no mkfs.xfs (Debian package xfsprogs)"
cleanup() {
    if mountpoint -q "$mount"; then umount "$mount"; fi
    rm -rf "$image" "$mount"
}
trap cleanup EXIT
mkdir -p "$mount"
# Sparse: it takes only what is written. 3 GiB holds 1,000 full copies of 1 MiB, should the
# copies not share their blocks.
truncate -s 3G "$image"
error=$(mkfs.xfs -q -m reflink=1 "$image" 2>&1) || skip "mkfs.xfs -m reflink=1 failed: $error"
error=$(mount -o loop "$image" "$mount" 2>&1) || skip "mount -o loop failed: $error"

data=$mount/data slug=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["slug"])' "$package/plugin.json")
"$bin" init --data-dir "$data" --sample-catalog "$catalog" >/dev/null
"$bin" publish "$package" --data-dir "$data" >/dev/null
used() { df -B1 --output=used "$mount" | tail -n 1; }
database() { cat "$data"/lifecycle.sqlite* | wc -c; }
sync
used_before=$(used) database_before=$(database)
if ! "$bin" bulk-install "$slug" --users "$(seq -f 'r%06.0f' 1 "$users" | paste -sd, -)" \
    --data-dir "$data" >"$work/reflink-install.log" 2>&1; then
    tail -n 5 "$work/reflink-install.log" >&2
    skip "bulk-install failed (log above)"
fi
sync
printf 'measured %d %d %d %d\n' "$users" "$(du -s -B1 --apparent-size "$data/plugins" | cut -f1)" \
    "$(($(used) - used_before))" "$(($(database) - database_before))"
