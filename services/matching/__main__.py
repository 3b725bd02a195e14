"""Background processes of the matching service: ``python -m services.matching consumer|relay``."""
from shared.config import load_settings
from shared.entrypoints import dispatch, run_consumer, run_relay

from services.matching import SERVICE
from services.matching.handlers import SUBSCRIBES_TO, build_handlers
from services.matching.store import OUTBOX_COLLECTIONS, ensure_indexes


def consumer() -> None:
    settings = load_settings(SERVICE)
    run_consumer(settings, SERVICE, SUBSCRIBES_TO, lambda db: build_handlers(db, settings), ensure_indexes)


if __name__ == "__main__":
    dispatch(SERVICE, {"consumer": consumer, "relay": lambda: run_relay(load_settings(SERVICE), OUTBOX_COLLECTIONS)})
