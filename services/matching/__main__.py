"""Background processes of the matching service:
``python -m services.matching consumer|relay|followups|suggestions``."""
from datetime import datetime, timezone
from typing import Callable

from shared.config import Settings, load_settings
from shared.contracts import matching as catalogue
from shared.mongo import connect
from shared.worker import Loop, run_worker
from shared.entrypoints import dispatch, run_consumer, run_relay

from services.matching import SERVICE
from services.matching.handlers import SUBSCRIBES_TO, build_handlers
from services.matching.actions import Matching, announce_follow_ups_due, suggest_due
from services.matching.store import OUTBOX_COLLECTIONS, ensure_indexes


def consumer() -> None:
    settings = load_settings(SERVICE)
    run_consumer(settings, SERVICE, SUBSCRIBES_TO, lambda db: build_handlers(db, settings), ensure_indexes)


def _polling(name: str, settings: Settings, work: Callable[[Matching], int], poll_setting: str, default_poll: float) -> None:
    """Run ``work`` again at once while it finds something to do, else after the poll interval."""

    def build() -> Loop:
        db = connect(settings)
        ensure_indexes(db)
        context = Matching.on(db, settings.topic(catalogue.TOPIC))

        def run(stop) -> None:
            while not stop.is_set():
                if not work(context):
                    stop.wait(float(settings.extra.get(poll_setting, default_poll)))

        return run

    run_worker(name, settings, build)


def followups() -> None:
    """Announce LoI follow-ups as they come due (every minute; safe to run more than one)."""
    _polling("followups", load_settings(SERVICE), lambda ctx: announce_follow_ups_due(ctx, datetime.now(timezone.utc).date()),
             "BSM_FOLLOWUP_POLL_SECONDS", 60)


def suggestions() -> None:
    """Tell approved participants their best matches (the queue is checked every 2 s while
    it is idle; safe to run more than one)."""
    _polling("suggestions", load_settings(SERVICE), suggest_due, "BSM_SUGGESTION_POLL_SECONDS", 2)


if __name__ == "__main__":
    dispatch(SERVICE, {"consumer": consumer, "followups": followups, "suggestions": suggestions,
                       "relay": lambda: run_relay(load_settings(SERVICE), OUTBOX_COLLECTIONS)})
