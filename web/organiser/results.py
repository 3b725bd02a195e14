"""A meet's results (matching's ``GET /v1/meets/{m}/report``): totals, charts of meetings
and LoI value by district, product, buyer and country, LoI-to-order conversion, and the
report as CSV (fetched with the organiser's key and passed on)."""
from __future__ import annotations

from flask import Response, render_template

from web.organiser import blueprint
from web.organiser.charts import breakdown_chart, conversion_chart, data_uri, value_chart
from web.organiser.session import call, get, organiser_required

BREAKDOWNS = {"seller_district": "district", "product": "product", "buyer": "buyer", "buyer_country": "buyer's country"}


@blueprint.get("/meets/<meet_id>/results")
@organiser_required
def results(meet_id: str):
    """The report with a meetings chart and a value chart per breakdown."""
    meet = get("registration", f"/v1/meets/{meet_id}")
    report = get("matching", f"/v1/meets/{meet_id}/report")
    charts = []
    for name, what in BREAKDOWNS.items():
        rows = report["by"].get(name, [])
        if rows:
            charts.append({"name": name, "title": "By %(what)s" % {"what": what}, "rows": rows,
                           "meetings": data_uri(breakdown_chart(f"Meetings, held, and LoIs by {what}", rows)),
                           "value": data_uri(value_chart(f"LoI value by {what} (Rs lakh)", rows))})
    return render_template("organiser/results.html", meet=meet, report=report, charts=charts,
                           conversion=data_uri(conversion_chart(report)))


@blueprint.get("/meets/<meet_id>/results.csv")
@organiser_required
def results_csv(meet_id: str):
    """The report as CSV, as matching writes it (formula-like cells defused)."""
    answer = call("matching", "GET", f"/v1/meets/{meet_id}/report", params={"format": "csv"})
    return Response(answer.content, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=bsm-{meet_id}-report.csv"})
