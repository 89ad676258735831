#!/usr/bin/env bash
# Manage the /etc/hosts line the registry stack needs for its TLS registry.
#   hosts_entry.sh add    NAME IP BASE   adds "IP NAME # unidesk-stack BASE" unless NAME is already
#                                        in /etc/hosts (then nothing is added, and nothing will be removed)
#   hosts_entry.sh remove BASE           removes exactly the lines that end in "# unidesk-stack BASE"
# /etc/hosts is rewritten in place (not renamed): in containers it is often a bind mount.
set -euo pipefail
HOSTS=${UNIDESK_HOSTS_FILE:-/etc/hosts}
MARK="# unidesk-stack"
case "${1:-}" in
  add)
    name=$2 ip=$3 base=$4
    # already there (ours or anyone's): leave it
    if awk -v n="$name" '!/^[[:space:]]*#/ { for (i = 2; i <= NF && $i !~ /^#/; i++) if ($i == n) f = 1 } END { exit !f }' "$HOSTS"; then
      exit 0
    fi
    printf '%s %s %s %s\n' "$ip" "$name" "$MARK" "$base" >> "$HOSTS"
    ;;
  remove)
    base=$2
    [ -f "$HOSTS" ] || exit 0
    grep -qF -- "$MARK $base" "$HOSTS" || exit 0
    tmp=$(mktemp)
    awk -v m="$MARK $base" '{ l = length($0); k = length(m); if (l >= k && substr($0, l - k + 1) == m) next; print }' "$HOSTS" > "$tmp"
    cat "$tmp" > "$HOSTS"
    rm -f "$tmp"
    ;;
  *) echo "usage: hosts_entry.sh add NAME IP BASE | remove BASE" >&2; exit 2;;
esac
