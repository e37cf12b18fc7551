#!/usr/bin/env bash
# The Debian bookworm base image, built from Debian packages with debootstrap (minbase) and imported into the
# engine, for machines that reach a Debian mirror but no image registry. Kept once built: delete the image
# (`podman rmi localhost/skills-debian:bookworm`) to rebuild it with the mirror's newest packages.
#
#   deploy/images/base.sh [engine] [tag]
set -euo pipefail
ENGINE=${1:-podman}
TAG=${2:-localhost/skills-debian:bookworm}
HERE=$(cd "$(dirname "$0")" && pwd)

if $ENGINE image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG: already built"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }
MIRROR=$("$HERE/mirror.sh")
WORK=$(mktemp -d /var/tmp/skills-rootfs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "debootstrap --variant=minbase bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
# apt inside the image: the same mirror, plus updates and security fixes.
cat >"$WORK/rootfs/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
SOURCES
# Images install without recommends and keep no package caches.
cat >"$WORK/rootfs/etc/apt/apt.conf.d/90skills-image" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
APT
# The certificate authorities this machine added (an HTTPS proxy's, say) are trusted inside too, so builds on this
# base reach PyPI the way the host does; ca-certificates, once installed on top, takes them in.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$WORK/rootfs/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$WORK/rootfs/usr/local/share/ca-certificates/"
fi
rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/* "$WORK"/rootfs/var/log/*.log
tar --numeric-owner -C "$WORK/rootfs" -c . | $ENGINE import \
  --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$TAG" >/dev/null
echo "base image $TAG: built from $MIRROR"
