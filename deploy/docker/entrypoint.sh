#!/bin/sh
# One process of $SERVICE: the HTTP API (default) or a background worker; anything else is exec'd.
set -eu
role="${1:-api}"
case "$role" in
  api)
    # gunicorn's workers add up their metrics in one folder (see shared/metrics.py).
    if [ -z "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
      export PROMETHEUS_MULTIPROC_DIR=/tmp/bsm-metrics
      rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    fi
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    # --no-control-socket: gunicorn would otherwise create $HOME/.gunicorn/ (read-only root fs).
    # gthread (ProblemWorker is gthread answering gunicorn's own refusals in problem+json): a
    # health probe or a quick request is served while other threads wait on the database
    # (each wait is bounded: BSM_REQUEST_DB_SECONDS, see shared/mongo.py).
    exec gunicorn --bind "0.0.0.0:${PORT}" --workers "${WEB_CONCURRENCY:-2}" \
      --worker-class shared.gunicorn_worker.ProblemWorker --threads "${BSM_API_THREADS:-4}" \
      --graceful-timeout 20 --worker-tmp-dir /tmp --no-control-socket \
      "services.${SERVICE}.app:create_app()" ;;
  consumer|relay|dispatcher|followups|suggestions|digests)
    exec python -m "services.${SERVICE}" "$role" ;;
  *)
    exec "$@" ;;
esac
