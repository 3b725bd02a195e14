#!/bin/sh
# One process of $SERVICE: the HTTP API (default) or a background worker.
set -eu
role="${1:-api}"
case "$role" in
  api)
    exec gunicorn --bind "0.0.0.0:${PORT}" --workers "${WEB_CONCURRENCY:-2}" \
      --graceful-timeout 20 --worker-tmp-dir /tmp "services.${SERVICE}.app:create_app()" ;;
  consumer|relay|dispatcher|followups|digests)
    exec python -m "services.${SERVICE}" "$role" ;;
  *)
    exec "$@" ;;
esac
