#!/usr/bin/env bash
# `make compose-up` / `make compose-down`: the compose stack from the images `make images` built.
#
# Docker: `docker compose up --detach --wait` (Docker honours every depends_on condition and runs the health checks).
# podman: podman-compose from PyPI, one stage at a time, waiting here for each stage's health checks. Two reasons:
# podman before 4.6 cannot wait for "healthy", so podman-compose skips those conditions; and without systemd podman
# schedules no health checks at all, so a container would stay "starting" forever. Each wait runs the image's own
# check (`podman healthcheck run`), which also records the result `podman ps` shows.
#
# SKILLS_COMPOSE_DEMO_DIR=<folder> adds deploy/compose.demo.yml (the sandbox clock and the demo's calendar, for the
# demo world; deploy/smoke.py sets it).
#
#   deploy/images/compose.sh up|down|ps|logs [service...]
set -euo pipefail
source "$(dirname "$0")/engine.sh"
cd "$REPO_ROOT"
PODMAN_COMPOSE_VERSION=1.6.0
WAIT_S=${SKILLS_COMPOSE_WAIT_S:-180}

if [ -f "$IMAGES_ENV" ]; then
  set -a
  # shellcheck disable=SC1090
  source "$IMAGES_ENV"
  set +a
fi

quiet_podman() {
  # podman without systemd logs two errors per container about health-check timers it cannot create: expected here
  # (wait_healthy runs the checks instead), so they are dropped; every other message passes.
  grep -v -e 'unable to get systemd connection' -e 'failed to connect to syslog' >&2 || true
}

FILES=(-f docker-compose.yml)
[ -z "${SKILLS_COMPOSE_DEMO_DIR:-}" ] || FILES+=(-f deploy/compose.demo.yml)

compose() {
  if [ "$ENGINE" = docker ]; then
    docker compose --project-directory "$REPO_ROOT" "${FILES[@]}" "$@"
  else
    local uv
    uv=$(command -v uv || true)
    if [ -n "$uv" ]; then
      "$uv" tool run --quiet --from "podman-compose==$PODMAN_COMPOSE_VERSION" podman-compose "${FILES[@]}" \
        "$@" 2> >(quiet_podman)
    else
      python3 -m uv tool run --quiet --from "podman-compose==$PODMAN_COMPOSE_VERSION" podman-compose \
        "${FILES[@]}" "$@" 2> >(quiet_podman)
    fi
  fi
}

container_of() {  # the container of a compose service (podman-compose and Docker both label them so)
  "$ENGINE" ps -a --filter "label=com.docker.compose.project=skills" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -n1
}

wait_healthy() {  # wait_healthy <service>...: each one's health check passes, or show its log and fail
  local service name out deadline=$((SECONDS + WAIT_S))
  for service in "$@"; do
    name=$(container_of "$service")
    [ -n "$name" ] || { echo "$service: no container" >&2; return 1; }
    until out=$("$ENGINE" healthcheck run "$name" 2>&1); do
      if [[ "$out" == *"no defined healthcheck"* ]]; then break; fi  # nothing to wait for but running
      if [ "$("$ENGINE" inspect --format '{{.State.Running}}' "$name")" != true ] || ((SECONDS > deadline)); then
        echo "$service: not healthy after $((SECONDS - deadline + WAIT_S)) s; its last lines:" >&2
        "$ENGINE" logs --tail 30 "$name" >&2 || true
        return 1
      fi
      sleep 1
    done
    echo "$service: healthy"
  done
}

wait_completed() {  # wait_completed <service>: its one-shot container exits 0
  local name code
  name=$(container_of "$1")
  code=$(timeout "$WAIT_S" "$ENGINE" wait "$name" | tail -n1)
  if [ "$code" != 0 ]; then
    echo "$1: exited with $code; its last lines:" >&2
    "$ENGINE" logs --tail 30 "$name" >&2 || true
    return 1
  fi
  echo "$1: completed"
}

up() {
  for image in skills/migrate:local skills/gateway:local; do
    "$ENGINE" image inspect "$image" >/dev/null 2>&1 || { echo "no image $image: run make images first" >&2; exit 1; }
  done
  local started=$SECONDS
  if [ "$ENGINE" = docker ]; then
    compose up --detach --no-build --wait
  else
    local services=(certificate-registry org-filing subsidy-claims voucher) infrastructure=()
    # Stage 1 is everything the suite does not build: PostgreSQL, Redis, and whatever else compose lists (MinIO).
    mapfile -t infrastructure < <(compose config --services | grep -v -x -e migrate -e gateway "${services[@]/#/-e}")
    compose up --detach --no-build --no-deps "${infrastructure[@]}" >/dev/null
    wait_healthy "${infrastructure[@]}"
    compose up --detach --no-build --no-deps migrate >/dev/null
    wait_completed migrate
    compose up --detach --no-build --no-deps "${services[@]}" >/dev/null
    wait_healthy "${services[@]}"
    compose up --detach --no-build --no-deps gateway >/dev/null
    wait_healthy gateway
  fi
  echo "stack up in $((SECONDS - started)) s: http://${GATEWAY_PUBLISH:-127.0.0.1:8000}/docs"
}

case "${1:-}" in
  up) up ;;
  down) compose down "${@:2}" ;;
  ps) compose ps ;;
  logs) compose logs "${@:2}" ;;
  *) echo "usage: $0 up|down [-v]|ps|logs [service...]" >&2; exit 2 ;;
esac
