"""Start, register (seller or buyer), prove the phone with the SMS code, sign out."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web import accounts, i18n
from web.clients import ApiError, get_json, post_json
from web.i18n import gettext as _
from web.participant import blueprint, labels


def form_errors(exc: ApiError) -> dict[str, str]:
    """The field errors of a refused write, for the form: each top-level field's messages as
    one line, however deeply the service nested them (``products.0.name``); a conflict
    lands on ``phone``; with no field errors, the problem's detail under ``form``."""
    errors = dict(exc.field_messages)
    if not errors:
        errors["form"] = exc.problem.get("detail") or exc.problem.get("title") or _("Please check the form.")
    return errors


@blueprint.get("/")
def home():
    """The start page: choose the language, then register as a seller or a buyer."""
    if accounts.signed_in():
        return redirect(url_for("participant.dashboard"))
    return render_template("participant/home.html", pending=accounts.participant_id())


def _districts() -> list[tuple[str, str]]:
    return [(d, d) for d in get_json("registration", "/v1/reference/districts")["items"]]


def languages(form) -> dict:
    """The page's language as the preferred one, and the languages ticked as spoken (at
    least the page's: matching seats an interpreter where the two sides share none)."""
    spoken = [code for code in form.getlist("languages") if code in i18n.LANGUAGES]
    return {"preferred_language": i18n.current(), "languages": spoken or [i18n.current()]}


def seller_body(form) -> dict:
    """The registration API's seller document from the form's fields."""
    body = {"name": form.get("name", "").strip(), "phone": form.get("phone", "").strip(), "district": form.get("district", ""),
            "enterprise_kind": form.get("enterprise_kind") or "artisan", **languages(form)}
    if form.get("email", "").strip():
        body["email"] = form["email"].strip()
    if form.get("product", "").strip():
        body["products"] = [{"name": form["product"].strip(), "category": form.get("category") or "other"}]
    return body


def buyer_body(form) -> dict:
    """The registration API's buyer document from the form's fields."""
    body = {"name": form.get("name", "").strip(), "organisation": form.get("organisation", "").strip(),
            "buyer_kind": form.get("buyer_kind") or "retail_brand", "phone": form.get("phone", "").strip() or None, **languages(form),
            "sourcing": {"categories": form.getlist("categories"),
                         "products": [p.strip() for p in form.get("products", "").split(",") if p.strip()]}}
    if form.get("email", "").strip():
        body["email"] = form["email"].strip()
    return body


@blueprint.route("/register/<any(seller, buyer):side>", methods=["GET", "POST"])
def register(side: str):
    """The registration form; on success the SMS code is on its way and the code page follows."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        body = seller_body(request.form) if side == "seller" else buyer_body(request.form)
        try:
            created = post_json("registration", f"/v1/{side}s", body, token="")
        except ApiError as exc:
            if exc.status not in (400, 409, 422):
                raise
            if exc.status == 409 and exc.problem.get("existing_id") and "phone" in exc.field_errors:
                return welcome_back(exc.problem["existing_id"], side, body["name"])
            errors = form_errors(exc)
            if "products" in errors:
                errors["product"] = errors.pop("products")
        else:
            accounts.start(created["id"], side, created.get("name", body["name"]))
            return redirect(url_for("participant.verify"))
    return render_template(f"participant/register_{side}.html", side=side, form=request.form, errors=errors,
                           districts=_districts() if side == "seller" else [], kinds=labels.enterprise_kinds(),
                           buyer_kinds=labels.buyer_kinds(), categories=labels.categories())


def welcome_back(participant: str, side: str, name: str):
    """The mobile number is registered already (registration's 409 names the record): send
    a code to it, so whoever holds that phone signs in; nobody else learns anything more
    than the conflict itself says."""
    accounts.start(participant, side, name)
    try:
        post_json("registration", f"/v1/participants/{participant}/verification-code", {}, token="")
    except ApiError as exc:
        if exc.status != 429:
            raise
    flash(_("This mobile number is registered already: we sent it a code to sign you in."), "ok")
    return redirect(url_for("participant.verify"))


def role_of(participant: str, guess: str, token: str) -> str:
    """``seller`` or ``buyer``, from registration's record of the participant (read with
    their ``token``)."""
    try:
        return get_json("registration", f"/v1/{guess}s/{participant}", token=token).get("role", guess)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return "buyer" if guess == "seller" else "seller"


@blueprint.route("/verify", methods=["GET", "POST"])
def verify():
    """Type the one-time code from the SMS; the token it earns signs the participant in."""
    participant = accounts.participant_id()
    if not participant:
        return redirect(url_for("participant.home"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            answer = post_json("registration", f"/v1/participants/{participant}/verify",
                               {"code": request.form.get("code", "").strip()}, token="")
        except ApiError as exc:
            if exc.status not in (400, 401, 403, 409, 422, 429):
                raise
            errors = {"code": _code_problem(exc)}
        else:
            accounts.verified(answer["token"], role_of(participant, accounts.side(), answer["token"]))
            flash(_("Your phone is verified. Welcome!"), "ok")
            return redirect(url_for("participant.dashboard"))
    return render_template("participant/verify.html", errors=errors)


def _code_problem(exc: ApiError) -> str:
    """What to tell someone whose code was refused: wait (how long) when they tried too
    often, ask for a new code when this one is spent by wrong tries, else try again."""
    if exc.status == 429:
        return _("Too many tries. Please wait %(minutes)s minutes, then try again.") % {"minutes": exc.minutes_to_wait}
    if exc.problem.get("reason") == "too_many_wrong_codes":
        return _("Too many wrong codes for this one. Ask for a new code below.")
    return _("That code is not right or has expired. Try again or ask for a new one.")


@blueprint.post("/verify/new-code")
def new_code():
    """Send another one-time code (the service limits how often)."""
    participant = accounts.participant_id()
    if not participant:
        return redirect(url_for("participant.home"))
    try:
        post_json("registration", f"/v1/participants/{participant}/verification-code", {}, token="")
        flash(_("A new code is on its way."), "ok")
    except ApiError as exc:
        if exc.status != 429:
            raise
        flash(_("Too many codes asked for. Please wait %(minutes)s minutes and try again.") % {"minutes": exc.minutes_to_wait}, "error")
    return redirect(url_for("participant.verify"))


@blueprint.post("/sign-out")
def sign_out():
    """Forget this browser's participant."""
    accounts.sign_out()
    return redirect(url_for("participant.home"))
