#!/usr/bin/env bash
# Print the Debian mirror apt already uses (the `…/debian` URI serving bookworm in /etc/apt/sources.list*),
# so the base image comes from the same place the machine trusts; deb.debian.org when none is configured.
# APT_ETC names another apt configuration directory (the deployment checks use it).
set -euo pipefail
APT_ETC=${APT_ETC:-/etc/apt}
found=""
for f in "$APT_ETC/sources.list" "$APT_ETC"/sources.list.d/*.list "$APT_ETC"/sources.list.d/*.sources; do
  [ -r "$f" ] || continue
  case "$f" in
    *.sources)  # deb822: a URIs: line in the stanza whose Suites: names bookworm
      found=$(awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm( |\n|$)/ && /URIs:/ {
                     match($0, /URIs:[ \t]*[^ \t\n]+/); u=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", u);
                     if (u ~ /\/debian\/?$/) { print u; exit } }' "$f") ;;
    *)          # one-line form: deb [options] URI bookworm components
      found=$(awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i !~ /^\[/ && $i !~ /\]$/) { u=$i; s=$(i+1); break }
                     if (s=="bookworm" && u ~ /\/debian\/?$/) { print u; exit } }' "$f") ;;
  esac
  [ -n "$found" ] && break
done
found=${found%/}
echo "${found:-http://deb.debian.org/debian}"
