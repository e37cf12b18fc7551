#!/usr/bin/env bash
# Can this machine run containers at all? Installs podman and runc when missing (engine.sh), then runs a trivial
# container: the host's own root as an overlay, `true`, no image or registry needed. Exit 0 when it runs; exit 3,
# with one line saying why, when the engine itself cannot run containers here (nothing about the suite).
set -uo pipefail
source "$(dirname "$0")/engine.sh" >&2
if [ "$ENGINE" = docker ]; then
  exit 0  # the Docker daemon answered `docker info`
fi
if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
  echo "podman and runc are not installed and could not be installed here (apt-get install podman runc)"
  exit 3
fi
if ! out=$(timeout 120 podman run --rm --rootfs /:O /bin/true 2>&1); then
  echo "podman cannot run containers on this machine: $(printf '%s' "$out" | tail -n1)"
  exit 3
fi
