"""Background processes of notifications: ``python -m services.notifications consumer|dispatcher|digests|relay``."""
from datetime import datetime, timezone
from pathlib import Path

from kafka.errors import KafkaError

from shared.config import Settings, load_settings
from shared.contracts import matching
from shared.contracts import notifications as catalogue
from shared.entrypoints import dispatch, run_consumer, run_relay
from shared.freshness import Freshness
from shared.mongo import connect
from shared.one_time_codes import CodeSealer
from shared.worker import Loop, run_worker

from services.notifications import SERVICE
from services.notifications.channels.email import SmtpChannel
from services.notifications.channels.gateway import GatewayChannel
from services.notifications.channels.inbox import InboxChannel
from services.notifications.channels.webhook import WebhookChannel, webhooks_may_be_private
from services.notifications.dispatcher import Dispatcher, RateLimit
from services.notifications.handlers import SUBSCRIBES_TO, build_handlers
from services.notifications.rendering import Renderer
from services.notifications.sent_journal import SentJournal, default_directory
from services.notifications.digests import record_digests, results_ready
from services.notifications.store import OUTBOX_COLLECTIONS, NotificationStore, ensure_indexes
from services.notifications.views import ContactStore, MeetNames, Tallies


def consumer() -> None:
    settings = load_settings(SERVICE)
    run_consumer(settings, SERVICE, SUBSCRIBES_TO, lambda db: build_handlers(db, settings), ensure_indexes)


def build_dispatcher(settings: Settings, journal: SentJournal | None = None) -> Dispatcher:
    db = connect(settings)
    ensure_indexes(db)
    channels = {
        "email": SmtpChannel(settings.smtp_host, settings.smtp_port, settings.mail_from, message_id_domain=settings.mail_message_id_domain),
        "inbox": InboxChannel(),
    }
    contacts = ContactStore(db)
    channels["webhook"] = WebhookChannel(lambda pid: getattr(contacts.get(pid), "webhook_secret", None), allow_private=webhooks_may_be_private(settings))
    for name in ("sms", "whatsapp"):
        if settings.gateway_url:
            channels[name] = GatewayChannel(name, settings.gateway_url, settings.gateway_token)
    limits = {
        name: RateLimit(float(settings.extra[f"BSM_RATE_LIMIT_{name.upper()}"]))
        for name in channels
        if settings.extra.get(f"BSM_RATE_LIMIT_{name.upper()}")
    }
    workers = {name: int(settings.extra[f"BSM_WORKERS_{name.upper()}"]) for name in channels if settings.extra.get(f"BSM_WORKERS_{name.upper()}")}
    return Dispatcher(NotificationStore(db, settings.topic(catalogue.TOPIC)), Renderer(sealer=CodeSealer(settings.code_key)), channels, rate_limits=limits, workers=workers, journal=journal)


def dispatcher() -> None:
    """The dispatcher, with a slot of the journal at ``BSM_SENT_JOURNAL_DIR`` (default
    ``sent_journal.default_directory``) for as long as the process lives."""
    settings = load_settings(SERVICE)
    directory = settings.extra.get("BSM_SENT_JOURNAL_DIR")
    journal = SentJournal.open(Path(directory) if directory else default_directory(SERVICE))

    def build() -> Loop:
        return build_dispatcher(settings, journal).run

    run_worker("dispatcher", settings, build)


def digests() -> None:
    """Record organisers' digests once a day and a completed meet's results once everything
    matching published before has been handled here (the dispatcher sends them)."""
    settings = load_settings(SERVICE)
    organisers = [a.strip() for a in settings.extra.get("BSM_ORGANISER_EMAILS", "").split(",") if a.strip()]

    def build() -> Loop:
        db = connect(settings)
        ensure_indexes(db)
        store, meets, tallies = NotificationStore(db, settings.topic(catalogue.TOPIC)), MeetNames(db), Tallies(db)
        freshness = Freshness.of(settings, db, SERVICE, SUBSCRIBES_TO)

        def caught_up() -> bool:
            try:
                return freshness.positions(settings.topic(matching.TOPIC))["up_to_date"]
            except KafkaError:
                return False

        def run(stop) -> None:
            while not stop.is_set():
                now = datetime.now(timezone.utc)
                record_digests(store, meets, tallies, organisers, now.date(), results_ready(now, caught_up))
                stop.wait(float(settings.extra.get("BSM_DIGEST_POLL_SECONDS", 600)))

        return run

    run_worker("digests", settings, build)


if __name__ == "__main__":
    dispatch(
        SERVICE,
        {
            "consumer": consumer,
            "dispatcher": dispatcher,
            "digests": digests,
            "relay": lambda: run_relay(load_settings(SERVICE), OUTBOX_COLLECTIONS),
        },
    )
