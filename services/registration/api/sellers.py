"""``/v1/sellers``: sellers register themselves (or are registered) and are read back."""
from flask import Blueprint, current_app

from shared.http import Problem, json_body

from services.registration.domain.participants import DomainError, register_participant
from services.registration.messages import participant_registered
from services.registration.schemas import ParticipantOut, SellerIn

bp = Blueprint("sellers", __name__, url_prefix="/v1/sellers")


def _store():
    return current_app.extensions["registration"].participants


@bp.post("")
def register_seller():
    """Register a seller; the event announcing it leaves through the outbox."""
    details = SellerIn().load(json_body())
    try:
        seller = register_participant(role="seller", country="IN", **details)
    except DomainError as exc:
        raise Problem(422, "Invalid request", str(exc), errors={exc.field or "_schema": [str(exc)]})
    _store().add(seller, [participant_registered(seller)])
    return ParticipantOut().dump(seller), 201, {"Location": f"/v1/sellers/{seller.id}"}


@bp.get("/<seller_id>")
def get_seller(seller_id: str):
    seller = _store().get(seller_id)
    if seller is None or seller.role != "seller":
        raise Problem(404, "Not Found", f"No seller {seller_id}.")
    return ParticipantOut().dump(seller)
