"""Results charts as SVG drawn on the server with pygal (no JavaScript in the page: the SVG
goes in an ``<img>`` as a data URI, so its own styles are kept under the pages' strict
Content-Security-Policy, and the numbers are also given as a table beside it)."""
from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pygal
from pygal.style import Style

STYLE = Style(background="white", plot_background="white", foreground="#1b1b1b", foreground_strong="#1b1b1b",
              foreground_subtle="#4a4a4a", colors=("#0b5394", "#1e6b2f", "#a4000f", "#7a4f01"), font_family="sans-serif",
              label_font_size=13, major_label_font_size=13, value_font_size=12, legend_font_size=13, title_font_size=16)
TOP = 12
"""Groups drawn per chart (the rest are summed as "others")."""


def _bar(title: str, labels: list[str], series: dict[str, list[float]], counts: bool = False) -> str:
    """A horizontal bar chart, a bar per label and series, the first label on top;
    ``counts``: a whole-number axis."""
    chart = pygal.HorizontalBar(style=STYLE, width=760, height=max(220, 60 + 34 * len(labels) * max(1, len(series))),
                                js=(), disable_xml_declaration=True, show_legend=len(series) > 1, legend_at_bottom=True,
                                print_values=True, title=title, truncate_label=40)
    chart.x_labels = labels[::-1]
    if counts:
        most = max(1, int(max((v for values in series.values() for v in values), default=0)))
        step = -(-most // 10)
        chart.y_labels = list(range(0, -(-most // step) * step + 1, step))
    for name, values in series.items():
        chart.add(name, values[::-1])
    return chart.render(is_unicode=True)


def data_uri(svg: str) -> str:
    """``data:image/svg+xml;base64,...`` for an ``<img src>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def top(rows: list[dict[str, Any]], key) -> list[dict[str, Any]]:
    """The ``TOP`` rows by ``key`` (descending); the report already sorts by value."""
    return sorted(rows, key=key, reverse=True)[:TOP]


def breakdown_chart(title: str, rows: list[dict[str, Any]]) -> str:
    """Meetings (all, and held) and LoIs per group of a report breakdown (``key``, ``name``,
    ``meetings``, ``lois``, ``value_inr``), the ``TOP`` groups by value then meetings; the
    value is ``value_chart``'s, as counts and rupees share no axis."""
    shown = top(rows, lambda r: (Decimal(r["value_inr"]), r["meetings"]["total"]))
    labels = [r.get("name") or r["key"] for r in shown]
    return _bar(title, labels, {"meetings": [r["meetings"]["total"] for r in shown], "held": [r["meetings"].get("held", 0) for r in shown],
                                "LoIs": [r["lois"] for r in shown]}, counts=True)


def value_chart(title: str, rows: list[dict[str, Any]]) -> str:
    """LoI value in lakh of rupees per group."""
    shown = top(rows, lambda r: Decimal(r["value_inr"]))
    return _bar(title, [r.get("name") or r["key"] for r in shown], {"LoI value (Rs lakh)": [float(Decimal(r["value_inr"]) / 100000) for r in shown]})


def conversion_chart(report: dict[str, Any]) -> str:
    """LoIs signed, then how many had become orders by each follow-up (30, 60, 90 days;
    the report's ``orders.over_follow_ups``), and orders placed in all."""
    steps = report["orders"].get("over_follow_ups", {}).get("by_follow_up", [])
    labels = ["LoIs signed", *(f"orders by day {step['days']}" for step in steps), "orders placed"]
    values = [report["lois"]["count"], *(step["orders"] for step in steps), report["orders"]["count"]]
    return _bar("LoIs to orders over the follow-ups", labels, {"LoIs": values}, counts=True)
