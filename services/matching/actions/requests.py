"""Meeting requests between participants: ask, accept, decline."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from services.matching import messages
from services.matching.actions.context import Matching, NotFound, Refused, meet_of
from services.matching.store import RequestCapReached

MAX_REQUESTS_SENT = 20


def request_meeting(ctx: Matching, meet_id: str, from_id: str, to_id: str, message: str | None, by_organiser: bool = False) -> dict[str, Any]:
    """Ask to meet someone. The asker's wish counts at once; if the other side accepts (or
    an organiser adds the meeting), the pair becomes a mutual request, first in the schedule.
    A participant sends at most ``MAX_REQUESTS_SENT`` per meet, however many at once.
    Raises NotFound, Refused."""
    meet_of(ctx, meet_id)
    mine, theirs = ctx.meets.participation(meet_id, from_id), ctx.meets.participation(meet_id, to_id)
    if not mine or not theirs or mine["status"] != "approved" or theirs["status"] != "approved":
        raise NotFound("Both must be approved participants of this meet.")
    if mine["role"] == theirs["role"]:
        raise Refused("Meetings are between a seller and a buyer.")
    status = "accepted" if by_organiser else "pending"
    request = {"_id": f"{meet_id}:{from_id}:{to_id}", "meet_id": meet_id, "from_id": from_id, "to_id": to_id, "from_role": mine["role"],
               "message": message, "status": status, "by_organiser": by_organiser, "created_at": datetime.now(timezone.utc)}
    kind = messages.MEETING_ACCEPTED if by_organiser else messages.MEETING_REQUESTED
    try:
        added = ctx.requests.add(request, [messages.request_event(kind, request)], None if by_organiser else MAX_REQUESTS_SENT)
    except RequestCapReached:
        raise Refused(f"You have sent the most requests allowed ({MAX_REQUESTS_SENT}) for this meet.") from None
    if not added:
        raise Refused("You have already asked to meet them.")
    ctx.preferences.put(meet_id, from_id, to_id, mine["role"], "must_meet")
    if by_organiser:
        ctx.preferences.put(meet_id, to_id, from_id, theirs["role"], "must_meet")
    return request


def answer_request(ctx: Matching, request_id: str, accept: bool) -> dict[str, Any]:
    """Accept or decline a request once (the same answer again changes nothing). Raises NotFound, Refused."""
    request = ctx.requests.get(request_id)
    if request is None:
        raise NotFound(f"No request {request_id}.")
    status = "accepted" if accept else "declined"
    if request["status"] == status:
        return request
    answered = {**request, "status": status}
    kind = messages.MEETING_ACCEPTED if accept else messages.MEETING_DECLINED
    if not ctx.requests.decide(request_id, status, [messages.request_event(kind, answered)]):
        raise Refused(f"This request was already {request['status']}.")
    their_role = "buyer" if request["from_role"] == "seller" else "seller"
    ctx.preferences.put(request["meet_id"], request["to_id"], request["from_id"], their_role, "must_meet" if accept else "no_thanks")
    return answered
