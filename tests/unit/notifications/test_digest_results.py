"""A completed meet's results are told once, so they wait for what happened before the
completion: a while after the completion was heard of, then until the consumer has
handled everything matching published (an LoI recorded just before completion may
arrive after it, on another topic)."""
from datetime import datetime, timedelta, timezone

from services.notifications.digests import RESULTS_SETTLE, results_ready

NOW = datetime(2030, 7, 31, 12, tzinfo=timezone.utc)


def test_results_wait_for_the_settle_time_then_for_the_consumer_to_catch_up():
    asked = []

    def caught_up(answer):
        def ask():
            asked.append(answer)
            return answer
        return ask

    just_completed = {"_id": "m1", "status": "completed", "completed_at": NOW - RESULTS_SETTLE / 2}
    settled = {"_id": "m2", "status": "completed", "completed_at": NOW - RESULTS_SETTLE}
    assert not results_ready(NOW, caught_up(True))(just_completed) and asked == [], "Kafka is not asked before the settle time"
    assert results_ready(NOW, caught_up(True))(settled)
    behind = results_ready(NOW, caught_up(False))
    assert not behind(settled) and not behind({**settled, "_id": "m3"}) and asked == [True, False], "asked once per run"
    naive = {"_id": "m4", "status": "completed", "completed_at": (NOW - timedelta(hours=1)).replace(tzinfo=None)}
    assert results_ready(NOW, caught_up(True))(naive) and results_ready(NOW, caught_up(True))({"_id": "m5", "status": "completed"})
