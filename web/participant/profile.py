"""The participant's own profile: contact, products (sellers) or sourcing needs (buyers),
and whether the other side of a confirmed meeting may see their phone and email."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web import accounts
from web.clients import ApiError, call
from web.i18n import gettext as _
from web.participant import blueprint, labels
from web.participant.register import form_errors

PRODUCT_ROWS = 3


def changes(form, side: str, current: dict) -> dict:
    """The PATCH document of the profile form: the fields it shows, products kept with
    what the form does not show (GI tag, capacity, prices) when their name is unchanged."""
    body = {"name": form.get("name", "").strip(), "email": form.get("email", "").strip() or None,
            "share_contact": form.get("share_contact") == "1"}
    if side == "seller":
        known = {p["name"]: p for p in current.get("products", [])}
        body["products"] = []
        for row in range(PRODUCT_ROWS):
            name = form.get(f"product-{row}", "").strip()
            if name:
                kept = {k: v for k, v in known.get(name, {}).items() if k != "id"}
                body["products"].append({**kept, "name": name, "category": form.get(f"category-{row}") or "other"})
    else:
        body["organisation"] = form.get("organisation", "").strip()
        body["sourcing"] = {**current.get("sourcing", {}), "categories": form.getlist("categories"),
                            "products": [p.strip() for p in form.get("products", "").split(",") if p.strip()]}
    return body


@blueprint.route("/profile", methods=["GET", "POST"])
@accounts.participant_required
def profile():
    """See and change one's profile. The form carries the ETag of the profile it showed and
    the change is sent with it as If-Match, so a form from a stale tab is refused (412), not
    saved over a newer change."""
    side = accounts.side()
    path = f"/v1/{side}s/{accounts.participant_id()}"
    answer = call("registration", "GET", path)
    current, errors = answer.json(), {}
    if request.method == "POST":
        try:
            loaded = request.form.get("etag") or answer.headers.get("ETag", "")
            call("registration", "PATCH", path, json=changes(request.form, side, current), headers={"If-Match": loaded})
        except ApiError as exc:
            if exc.status not in (400, 409, 412, 422):
                raise
            errors = form_errors(exc) if exc.status != 412 else {"form": _("Your profile changed elsewhere meanwhile. Please check and save again.")}
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for("participant.profile"))
    return render_template("participant/profile.html", side=side, profile=current, etag=answer.headers.get("ETag", ""), errors=errors, rows=range(PRODUCT_ROWS),
                           categories=labels.categories())
