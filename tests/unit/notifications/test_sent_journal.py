"""The journal of sent messages: what a slot holds outlives the process that wrote it and
is handed to the next holder; live holders never share a slot; forgotten lines leave the
file (emptied, or rewritten without them)."""
from datetime import datetime, timezone

import pytest

from services.notifications import sent_journal
from services.notifications.sent_journal import SentJournal

AT = datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc)


def entry(n: int) -> dict:
    return {"claim": {"id": f"n{n}", "due_at": AT}, "rendered": {"text": "آپ کا کوڈ", "ics": b"BEGIN:VCALENDAR"}}


def test_what_a_dead_holder_wrote_is_held_by_the_next_one_with_its_types(tmp_path):
    first = SentJournal.open(tmp_path)
    first.add("n1", entry(1))
    first.add("n2", entry(2))
    first.forget(["n1"])
    first.close()  # the process died without recording n2

    second = SentJournal.open(tmp_path)
    assert second.path == first.path
    assert second.held() == {"n2": entry(2)}
    assert second.held()["n2"]["claim"]["due_at"].tzinfo is not None


def test_live_holders_never_share_a_slot_and_a_dead_ones_slot_is_recovered_by_another(tmp_path):
    live, dying = SentJournal.open(tmp_path), SentJournal.open(tmp_path)
    assert live.path != dying.path
    dying.add("n7", entry(7))
    assert live.recover_others(lambda held: pytest.fail("a live holder's slot was read")) == 0
    dying.close()

    handed: list[dict] = []
    assert live.recover_others(handed.append) == 1
    assert handed == [{"n7": entry(7)}]
    assert dying.path.read_bytes() == b""  # emptied once recorded
    assert live.recover_others(handed.append) == 0


def test_a_slot_whose_recording_fails_keeps_its_lines(tmp_path):
    dying = SentJournal.open(tmp_path)
    dying.add("n3", entry(3))
    dying.close()
    other = SentJournal.open(tmp_path)  # takes the dead one's slot: its own lines
    third = SentJournal.open(tmp_path)
    other.close()

    def away(held):
        raise ConnectionError("the database is away")

    with pytest.raises(ConnectionError):
        third.recover_others(away)
    assert SentJournal.open(tmp_path).held() == {"n3": entry(3)}


def test_forgotten_lines_leave_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sent_journal, "COMPACT_AFTER", 3)
    journal = SentJournal.open(tmp_path)
    for n in range(5):
        journal.add(f"n{n}", entry(n))
    journal.forget(["n0", "n1", "never-held"])
    assert len(journal.path.read_text().splitlines()) == 6  # five lines and one forgetting two, not yet rewritten
    assert SentJournal.open(tmp_path).path != journal.path
    journal.forget(["n2"])
    assert len(journal.path.read_text().splitlines()) == 2  # rewritten with n3 and n4
    journal.add("n5", entry(5))  # appended to the rewritten file, which the slot still holds
    assert SentJournal.open(tmp_path).path != journal.path
    journal.forget(["n3", "n4", "n5"])
    assert journal.path.read_bytes() == b""
    journal.add("n6", entry(6))
    journal.close()
    assert SentJournal.open(tmp_path).held() == {"n6": entry(6)}


def test_a_line_cut_short_is_ignored(tmp_path):
    journal = SentJournal.open(tmp_path)
    journal.add("n1", entry(1))
    journal.close()
    with open(journal.path, "a", encoding="utf-8") as file:
        file.write('{"id": "n2", "entry": {"cla')
    assert SentJournal.open(tmp_path).held() == {"n1": entry(1)}
