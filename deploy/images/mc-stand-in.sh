#!/bin/sh
# `mc ready local` only: exit 0 when the S3 server on 127.0.0.1:9000 answers, as MinIO's client does.
[ "$*" = "ready local" ] || { echo "this mc answers only: mc ready local" >&2; exit 2; }
exec python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9000/', timeout=2)"
