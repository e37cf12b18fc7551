#!/bin/sh
# `minio server <dir>` as the stand-in understands it: serve S3 on :9000 (the directory is not used: in memory).
set -eu
[ "${1:-}" = server ] || { echo "usage: minio server <dir>" >&2; exit 2; }
exec moto_server -H 0.0.0.0 -p 9000
