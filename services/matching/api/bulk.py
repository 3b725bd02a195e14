"""Bulk entries of a meet (``shared/bulk.py``: at most ``MAX_ITEMS`` items, a report per
item, ``Idempotency-Key``): wishes, outcomes and Letters of Intent, meetings named by
seller and buyer. Outcomes and LoIs go on after the meet is completed; wishes do not. An
outcome or LoI of a meeting that has not begun is refused (409), an LoI signed on a day it
cannot have been is invalid (422 naming ``signed_on``), item by item
(``domain.after_meeting``)."""
from flask import Blueprint, current_app

from shared.auth import ORGANISER
from shared.bulk import ItemResult, bulk_body, documented_bulk, items_of, run_items
from shared.http import idempotent, json_body, require

from services.matching import actions
from services.matching.actions import entries
from services.matching.schemas import BulkLoiItem, BulkOutcomeItem, BulkPreferenceItem

bp = Blueprint("bulk", __name__, url_prefix="/v1/meets/<meet_id>")
ITEM_FAILURES = {actions.NotFound: lambda exc: (404, {}), actions.Refused: lambda exc: (409, {}),
                 actions.Invalid: lambda exc: (422, {"errors": {exc.field: [str(exc)]}})}
BulkPreferencesIn = bulk_body(BulkPreferenceItem, "BulkPreferencesIn")
BulkOutcomesIn = bulk_body(BulkOutcomeItem, "BulkOutcomesIn")
BulkLoisIn = bulk_body(BulkLoiItem, "BulkLoisIn")


def ctx() -> actions.Matching:
    return current_app.extensions["matching"]


@bp.post("/preferences/bulk")
@documented_bulk("Many wishes at once (must_meet, would_like, no_thanks) on participants' behalf", BulkPreferencesIn)
@idempotent
def preferences(meet_id: str):
    require(ORGANISER)
    items = items_of(json_body())
    actions.ensure_meet_running(ctx(), meet_id)

    def put(item) -> ItemResult:
        return ItemResult(f"{item['participant_id']}:{item['counterpart_id']}", entries.put_preference(ctx(), meet_id, item))

    return run_items(items, BulkPreferenceItem(), put, ITEM_FAILURES)


@bp.post("/outcomes/bulk")
@documented_bulk("Many meetings' outcomes at once (held or who did not show), by meeting id or by seller and buyer; "
                 "a meeting that has not begun is refused (409)", BulkOutcomesIn)
@idempotent
def outcomes(meet_id: str):
    return _on_meetings(meet_id, BulkOutcomeItem(), entries.put_outcome)


@bp.post("/lois/bulk")
@documented_bulk("Many signed Letters of Intent at once, by seller and buyer (no meeting id needed); a meeting that has not begun "
                 "is refused (409), a signed_on before its day or after today at the venue is invalid (422)", BulkLoisIn)
@idempotent
def lois(meet_id: str):
    return _on_meetings(meet_id, BulkLoiItem(), entries.put_loi)


def _on_meetings(meet_id: str, schema, put):
    """Items naming meetings of the meet, done by ``put(meetings, item) -> (id, changed)``."""
    require(ORGANISER)
    items = items_of(json_body())
    meetings = entries.MeetingsOfMeet(ctx(), meet_id)
    return run_items(items, schema, lambda item: ItemResult(*put(meetings, item)), ITEM_FAILURES)
