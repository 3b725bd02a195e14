"""What every page shares: the language picker, health, CSRF protection for forms,
security headers and the page shown when a service answers with an error.

Every form that POSTs carries ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``
(the layout's ``csrf_field()`` macro); a POST without the session's token is refused (400).
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, make_response, redirect, render_template, request, session, url_for

from web import accounts, i18n
from web.clients import ApiError

blueprint = Blueprint("pages", __name__)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def csrf_token() -> str:
    """The session's form token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@blueprint.get("/healthz")
@blueprint.get("/readyz")
def healthz():
    """The process is alive and serves pages (it keeps no state of its own to wait for)."""
    return {"status": "ok"}


@blueprint.route("/language", methods=["GET", "POST"])
def language():
    """Choose the language of every page; remembered for a year in the ``lang`` cookie."""
    back = safe_next(request.values.get("next"), url_for("participant.home"))
    if request.method == "GET":
        return render_template("language.html", next=back)
    code = request.form.get("language")
    if code not in i18n.LANGUAGES:
        abort(400)
    response = redirect(back)
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_SECONDS, samesite="Lax", httponly=True)
    return response


def install(app: Flask) -> None:
    """The shared routes, the CSRF check, headers and error pages on ``app``."""
    app.register_blueprint(blueprint)
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _check_csrf():
        expected = session.get("csrf")
        if request.method == "POST" and (not expected or not secrets.compare_digest(request.form.get("csrf_token", ""), expected)):
            abort(400, description="csrf")

    @app.after_request
    def _headers(response):
        response.headers.update(SECURITY_HEADERS)
        if request.endpoint == "static":
            response.headers["Cache-Control"] = "public, max-age=86400"
        else:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    def _http_error(exc):
        """The site's own page, in the reader's language, for a page that does not exist or
        a form sent from a page too old for its session (the form token no longer matches)."""
        status = getattr(exc, "code", 400) or 400
        stale = status == 400 and getattr(exc, "description", None) == "csrf"
        problem = {"detail": i18n.gettext("That page was too old to send. Please open it again and fill it in.")} if stale else {}
        return make_response(render_template("error.html", problem=problem, status=404 if status == 404 else 400), status)

    @app.errorhandler(ApiError)
    def _service_error(exc: ApiError):
        if exc.status == 401 and session.get("token"):
            accounts.sign_out()
            flash(i18n.gettext("Please register or sign in again."), "error")
            return redirect(url_for("participant.home"))
        status = exc.status if exc.status in (401, 403, 404, 409, 429) else 503 if exc.status >= 500 else 400
        return make_response(render_template("error.html", problem=exc.problem, status=status), status)
