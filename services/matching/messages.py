"""The events matching publishes."""
from __future__ import annotations

from datetime import date
from typing import Any

from shared import contracts
from shared.contracts import matching as catalogue
from shared.envelope import Event, new_event

from services.matching import SERVICE
from services.matching.domain.participants import ParticipantProfile

SOURCE = f"/bsm/{SERVICE}"
MEETING_SCHEDULED = catalogue.MEETING_SCHEDULED
MEETING_CANCELLED = catalogue.MEETING_CANCELLED
MEETING_REQUESTED, MEETING_ACCEPTED, MEETING_DECLINED = catalogue.MEETING_REQUESTED, catalogue.MEETING_ACCEPTED, catalogue.MEETING_DECLINED


def _event(event_type: str, subject: str, payload: dict[str, Any]) -> Event:
    return new_event(event_type, SOURCE, subject, contracts.data_for(event_type, payload))


def participant_indexed(profile: ParticipantProfile) -> Event:
    return _event(catalogue.PARTICIPANT_INDEXED, profile.id, {"participant_id": profile.id, "role": profile.role, "version": profile.version})


def meeting_event(event_type: str, meeting: dict[str, Any]) -> Event:
    """The ``meeting.scheduled`` or ``meeting.cancelled`` event of a meeting document as it
    is now; a cancellation carries the document's ``cancel_reason``."""
    payload = {
        "meeting_id": meeting["_id"],
        **{k: meeting[k] for k in ("meet_id", "seller_id", "buyer_id", "slot_id", "day", "start", "end", "table", "timezone", "reasons", "status", "version")},
        "interpreter": meeting.get("interpreter"),
        "interpreter_name": meeting.get("interpreter_name"),
    }
    if event_type == MEETING_CANCELLED:
        payload["cancel_reason"] = meeting.get("cancel_reason")
    return _event(event_type, meeting["_id"], payload)


def schedule_published(meet_id: str, published: dict[str, Any], meetings: list[dict[str, Any]] | None = None) -> Event:
    """The publication of a meet's schedule; ``meetings`` (each with ``seller_id`` and
    ``buyer_id``) are all the meetings it publishes, sent as each seller's buyers."""
    payload = {"meet_id": meet_id, "meetings": published["meetings"], "value": published["value"], "upper_bound": published["upper_bound"], "published_at": published["at"]}
    if meetings is not None:
        buyers: dict[str, list[str]] = {}
        for meeting in meetings:
            buyers.setdefault(meeting["seller_id"], []).append(meeting["buyer_id"])
        payload["sellers"] = [{"seller_id": seller, "buyer_ids": sorted(ids)} for seller, ids in sorted(buyers.items())]
    return _event(catalogue.SCHEDULE_PUBLISHED, meet_id, payload)


def outcome_recorded(meeting: dict[str, Any]) -> Event:
    payload = {"meeting_id": meeting["_id"], "outcome": meeting["outcome"], **{k: meeting[k] for k in ("meet_id", "seller_id", "buyer_id")}}
    return _event(catalogue.MEETING_OUTCOME_RECORDED, meeting["_id"], payload)


def loi_signed(meeting: dict[str, Any]) -> Event:
    loi = meeting["loi"]
    payload = {
        "meeting_id": meeting["_id"],
        **{k: meeting[k] for k in ("meet_id", "seller_id", "buyer_id")},
        "product": loi["product"],
        "quantity": loi["quantity"],
        "value": loi["value"],
        "value_inr": loi["value_inr"],
        "signed_on": date.fromisoformat(loi["signed_on"]),
        "follow_up_due": [date.fromisoformat(f["due"]) for f in loi["follow_up"] if f.get("kind") != "status_request"],
    }
    return _event(catalogue.LOI_SIGNED, meeting["_id"], payload)


def request_event(event_type: str, request: dict[str, Any]) -> Event:
    payload = {"request_id": request["_id"], **{k: request[k] for k in ("meet_id", "from_id", "to_id", "message", "status", "by_organiser")}}
    return _event(event_type, request["_id"], payload)


def loi_followed_up(meeting: dict[str, Any]) -> Event:
    loi = meeting["loi"]
    payload = {
        "meeting_id": meeting["_id"], **{k: meeting[k] for k in ("meet_id", "seller_id", "buyer_id")},
        "status": loi["status"], "order_value_inr": (loi.get("order") or {}).get("value_inr"),
    }
    return _event(catalogue.LOI_FOLLOWED_UP, meeting["_id"], payload)


def follow_up_due(meeting: dict[str, Any], due: str, days: int) -> Event:
    payload = {
        "meeting_id": meeting["_id"], **{k: meeting[k] for k in ("meet_id", "seller_id", "buyer_id")},
        "product": meeting["loi"]["product"], "due": date.fromisoformat(due), "days_after_signing": days, "status": meeting["loi"]["status"],
    }
    return _event(catalogue.FOLLOW_UP_DUE, meeting["_id"], payload)


def match_scores_updated(meet_id: str, participant_id: str, top: list[dict[str, Any]]) -> Event:
    return _event(catalogue.MATCH_SCORES_UPDATED, f"{meet_id}:{participant_id}", {"meet_id": meet_id, "participant_id": participant_id, "top": top})
