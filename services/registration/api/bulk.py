"""Bulk steps an organiser repeats for a whole meet: applications (with ``"all"`` slots)
and decisions for many participants in one call, each item done on its own with a
per-item report (``shared/bulk.py``: at most ``MAX_ITEMS`` items, ``Idempotency-Key``)."""
from flask import Blueprint

from shared.auth import ORGANISER
from shared.bulk import ItemResult, bulk_body, documented_bulk, items_of, run_items
from shared.http import idempotent, json_body, require

from services.registration.actions import applications as actions
from services.registration.actions import meets as meet_actions
from services.registration.api.context import registration
from services.registration.api.errors import ITEM_FAILURES
from services.registration.schemas import BulkApplicationItem, BulkDecisionItem

bp = Blueprint("bulk", __name__, url_prefix="/v1/meets/<meet_id>")
TAGS = ("applications",)
BulkApplicationsIn = bulk_body(BulkApplicationItem, "BulkApplicationsIn")
BulkDecisionsIn = bulk_body(BulkDecisionItem, "BulkDecisionsIn")


@bp.post("/applications/bulk")
@documented_bulk("Apply for many participants at once (availability: slot ids or \"all\")", BulkApplicationsIn, TAGS)
@idempotent
def apply_many(meet_id: str):
    require(ORGANISER)
    items = items_of(json_body())
    meet_actions.get(registration(), meet_id)

    def apply(item) -> ItemResult:
        application, changed = actions.apply_once(registration(), meet_id, item["participant_id"], item["availability"])
        return ItemResult(application.id, changed)

    return run_items(items, BulkApplicationItem(), apply, ITEM_FAILURES)


@bp.post("/decisions/bulk")
@documented_bulk("Approve, reject or waitlist many applications at once", BulkDecisionsIn, TAGS)
@idempotent
def decide_many(meet_id: str):
    caller = require(ORGANISER)
    items = items_of(json_body())
    meet_actions.get(registration(), meet_id)

    def decide(item) -> ItemResult:
        application, changed = actions.decide_once(registration(), meet_id, item["participant_id"], item["decision"], item["reason"], caller)
        return ItemResult(application.id, changed)

    return run_items(items, BulkDecisionItem(), decide, ITEM_FAILURES)
