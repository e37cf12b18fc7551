#!/usr/bin/env bash
# `make images`: the suite's images (skills/migrate:local and skills/<service>:local), and the database and Redis
# images compose uses. Public base images when the registries answer; otherwise Debian-package stand-ins built
# here: a debootstrap bookworm base (base.sh), Python 3.11 and uv on it, PostgreSQL 15 and Redis 7 from Debian, and
# an S3 stand-in for MinIO (moto from PyPI) when compose has a MinIO service.
# The engine's layer cache and a shared uv download cache make a second run take seconds for unchanged code.
#
#   SKILLS_IMAGES=public|local forces the choice; SKILLS_ENGINE=docker|podman forces the engine.
set -euo pipefail
source "$(dirname "$0")/engine.sh"
cd "$REPO_ROOT"

PUBLIC_PYTHON=docker.io/library/python:3.11-slim-bookworm
PUBLIC_UV=ghcr.io/astral-sh/uv:0.13
PUBLIC_POSTGRES=docker.io/library/postgres:16-bookworm
PUBLIC_REDIS=docker.io/library/redis:7-bookworm

pullable() { timeout 120 "$ENGINE" pull -q "$1" >/dev/null 2>&1; }

if [ -z "${SKILLS_IMAGES:-}" ]; then
  if pullable "$PUBLIC_PYTHON" && pullable "$PUBLIC_UV"; then SKILLS_IMAGES=public; else SKILLS_IMAGES=local; fi
fi

# podman writes OCI images by default, and the OCI format has no HEALTHCHECK: every health check would be silently
# dropped (and compose waits forever for "healthy"). The Docker format keeps them.
FORMAT=()
[ "$ENGINE" = podman ] && FORMAT=(--format docker)

build() {  # build <tag> <context> [podman/docker build arguments...]; quiet unless it fails
  local tag=$1 context=$2 log
  shift 2
  log=$(mktemp)
  local started=$SECONDS
  if ! "$ENGINE" build "${FORMAT[@]}" --tag "$tag" "$@" "$context" >"$log" 2>&1; then
    tail -40 "$log" >&2
    rm -f "$log"
    echo "image $tag: build failed" >&2
    return 1
  fi
  rm -f "$log"
  echo "image $tag: $((SECONDS - started)) s"
}

if [ "$SKILLS_IMAGES" = public ]; then
  echo "base images: public ($PUBLIC_PYTHON, $PUBLIC_UV)"
  PYTHON_IMAGE=$PUBLIC_PYTHON UV_IMAGE=$PUBLIC_UV
  pullable "$PUBLIC_POSTGRES" && POSTGRES_IMAGE=$PUBLIC_POSTGRES || POSTGRES_IMAGE=""
  pullable "$PUBLIC_REDIS" && REDIS_IMAGE=$PUBLIC_REDIS || REDIS_IMAGE=""
else
  echo "base images: built here from Debian packages (no image registry answered)"
  command -v debootstrap >/dev/null 2>&1 || install_debian_packages debootstrap
  "$IMAGES_DIR/base.sh" "$ENGINE" localhost/skills-debian:bookworm
  PYTHON_IMAGE=localhost/skills-python:3.11-bookworm UV_IMAGE=localhost/skills-uv:0.13
  build "$PYTHON_IMAGE" "$IMAGES_DIR" -f "$IMAGES_DIR/python.Containerfile"
  build "$UV_IMAGE" "$IMAGES_DIR" -f "$IMAGES_DIR/uv.Containerfile" --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE"
  POSTGRES_IMAGE="" REDIS_IMAGE=""
fi
if [ -z "$POSTGRES_IMAGE" ]; then
  "$IMAGES_DIR/base.sh" "$ENGINE" localhost/skills-debian:bookworm
  POSTGRES_IMAGE=localhost/skills-postgres:15-bookworm
  build "$POSTGRES_IMAGE" "$IMAGES_DIR" -f "$IMAGES_DIR/postgres.Containerfile"
fi
if [ -z "$REDIS_IMAGE" ]; then
  "$IMAGES_DIR/base.sh" "$ENGINE" localhost/skills-debian:bookworm
  REDIS_IMAGE=localhost/skills-redis:7-bookworm
  build "$REDIS_IMAGE" "$IMAGES_DIR" -f "$IMAGES_DIR/redis.Containerfile"
fi
# The object store for holder photos: compose's MinIO image when it can be pulled, else an S3 stand-in.
PUBLIC_MINIO=$(grep -o 'SKILLS_MINIO_IMAGE:-[^}]*' docker-compose.yml | head -n1 | cut -d- -f2- || true)
MINIO_IMAGE=""
if [ -n "$PUBLIC_MINIO" ]; then
  if [ "$SKILLS_IMAGES" = public ] && pullable "$PUBLIC_MINIO"; then
    MINIO_IMAGE=$PUBLIC_MINIO
  else
    MINIO_IMAGE=localhost/skills-minio:local
    build "$MINIO_IMAGE" "$IMAGES_DIR" -f "$IMAGES_DIR/minio.Containerfile" \
      --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" --build-arg "UV_IMAGE=$UV_IMAGE"
  fi
fi

bases=(--build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" --build-arg "UV_IMAGE=$UV_IMAGE")
build skills/migrate:local . -f deploy/Dockerfile --target migrate "${bases[@]}"
# name package port, as in tools/src/skills_tools/services.py and docker-compose.yml
while read -r name package port; do
  build "skills/$name:local" . -f deploy/Dockerfile "${bases[@]}" \
    --build-arg "SERVICE=$name" --build-arg "PACKAGE=$package" --build-arg "PORT=$port"
done <<'SERVICES'
certificate-registry certificate_registry 8001
org-filing org_filing 8002
subsidy-claims subsidy_claims 8003
voucher voucher 8004
gateway gateway 8000
SERVICES

# What compose runs for the database, Redis and the object store (docker-compose.yml reads these names).
mkdir -p "$(dirname "$IMAGES_ENV")"
{
  printf 'SKILLS_POSTGRES_IMAGE=%s\nSKILLS_REDIS_IMAGE=%s\n' "$POSTGRES_IMAGE" "$REDIS_IMAGE"
  [ -z "$MINIO_IMAGE" ] || printf 'SKILLS_MINIO_IMAGE=%s\n' "$MINIO_IMAGE"
} >"$IMAGES_ENV"
echo "images ready ($ENGINE); compose will run $POSTGRES_IMAGE, $REDIS_IMAGE${MINIO_IMAGE:+ and $MINIO_IMAGE}"
