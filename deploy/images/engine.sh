# Sourced by the scripts of deploy/images: picks the container engine and its settings.
# docker when a Docker daemon answers; otherwise podman, installed from Debian packages when missing (as root with
# apt-get), run with deploy/images/containers.conf (runc, cgroupfs, ulimits under the host's hard limits).
# SKILLS_ENGINE=docker|podman forces one.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IMAGES_DIR="$REPO_ROOT/deploy/images"
IMAGES_ENV="$REPO_ROOT/.data/images.env"

install_debian_packages() {
  # apt-get install the given packages when a command of theirs is missing; root and apt-get are needed.
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: $* (install them, or run as root on Debian/Ubuntu)" >&2
    return 1
  fi
  echo "installing Debian packages: $*"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ -z "${SKILLS_ENGINE:-}" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    SKILLS_ENGINE=docker
  else
    SKILLS_ENGINE=podman
  fi
fi
if [ "$SKILLS_ENGINE" = podman ]; then
  # netavark and aardvark-dns: container networks with name resolution (compose services find each other by name).
  # iptables: netavark sets up every network (even a build's RUN) with it, and only recommends it; without it each
  # network step fails with "netavark: No such file or directory".
  command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && [ -x /usr/lib/podman/aardvark-dns ] \
    && command -v iptables >/dev/null 2>&1 || install_debian_packages podman runc netavark aardvark-dns iptables
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$IMAGES_DIR/containers.conf}"
fi
ENGINE=$SKILLS_ENGINE
export SKILLS_ENGINE ENGINE
