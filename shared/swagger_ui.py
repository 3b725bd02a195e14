"""``/docs``: Swagger UI over the service's ``/openapi.json``, served from the installed
``swagger-ui-bundle`` package, so the page works without internet and asks no other host
for anything (its online validator badge is turned off too).
"""
from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")
"""The files of the bundle the page loads, under ``/docs/``."""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png"></head>
<body><div id="ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{url: "openapi.json", dom_id: "#ui", validatorUrl: null}});</script>
</body></html>"""


def add_docs_routes(bp: Blueprint, title: str) -> None:
    """``GET /docs`` (the page) and ``GET /docs/<asset>`` (one of ``ASSETS``) on ``bp``."""

    @bp.get("/docs")
    def docs():
        return _PAGE.format(title=title), 200, {"Content-Type": "text/html; charset=utf-8"}

    @bp.get("/docs/<asset>")
    def docs_asset(asset: str):
        if asset not in ASSETS:
            abort(404)
        return send_from_directory(str(swagger_ui_path), asset, max_age=86400)
