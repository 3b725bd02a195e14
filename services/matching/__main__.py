"""Background processes of the matching service: ``python -m services.matching consumer|relay``."""
from datetime import datetime, timezone

from shared.config import load_settings
from shared.contracts import matching as catalogue
from shared.mongo import connect
from shared.worker import Loop, run_worker
from shared.entrypoints import dispatch, run_consumer, run_relay

from services.matching import SERVICE
from services.matching.handlers import SUBSCRIBES_TO, build_handlers
from services.matching.actions import Matching, announce_follow_ups_due
from services.matching.store import (
    OUTBOX_COLLECTIONS, InterpreterStore, MeetingStore, MeetView, PreferenceStore, ProfileStore, RequestStore, ScheduleStore, ensure_indexes,
)


def consumer() -> None:
    settings = load_settings(SERVICE)
    run_consumer(settings, SERVICE, SUBSCRIBES_TO, lambda db: build_handlers(db, settings), ensure_indexes)


def followups() -> None:
    """Announce LoI follow-ups as they come due (every minute; safe to run more than one)."""
    settings = load_settings(SERVICE)

    def build() -> Loop:
        db = connect(settings)
        ensure_indexes(db)
        topic = settings.topic(catalogue.TOPIC)
        context = Matching(ProfileStore(db, topic), MeetView(db), PreferenceStore(db), ScheduleStore(db, topic),
                           MeetingStore(db, topic), RequestStore(db, topic), InterpreterStore(db))

        def run(stop) -> None:
            while not stop.is_set():
                announce_follow_ups_due(context, datetime.now(timezone.utc).date())
                stop.wait(float(settings.extra.get("BSM_FOLLOWUP_POLL_SECONDS", 60)))

        return run

    run_worker("followups", settings, build)


if __name__ == "__main__":
    dispatch(SERVICE, {"consumer": consumer, "followups": followups, "relay": lambda: run_relay(load_settings(SERVICE), OUTBOX_COLLECTIONS)})
