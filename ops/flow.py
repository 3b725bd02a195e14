"""The live flow page: services and topics with current rates, lag and dead letters.

A small Flask app (``gunicorn 'ops.flow:create_app()'``, one worker, as ``make run`` starts it
on :8004). ``/flow`` is one HTML page with inline JavaScript, no build step, that asks
``/flow/data`` every two seconds and redraws. When Kafka cannot be read, ``/flow/data``
answers 503 problem+json with the reason and the page shows it (and keeps asking).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, Response

from shared.config import load_settings
from shared.consumer import dead_letter_topic
from shared.http import problem_response
from shared.metrics import StateCollector, metrics_blueprint

from ops.kafka_views import Kafka, describe

PRODUCERS = {"registration.events": "registration", "matching.events": "matching", "notifications.events": "notifications"}
CONSUMERS = {"registration.events": ["matching", "notifications"], "matching.events": ["notifications"], "notifications.events": []}
GROUPS = ("matching", "notifications")
log = logging.getLogger(__name__)


def subscriptions(prefix: str) -> dict[str, list[str]]:
    """Each group's Kafka id and the topics it reads, so a group that has not committed
    (or started) yet still shows its lag."""
    return {prefix + group: [prefix + topic for topic, readers in CONSUMERS.items() if group in readers] for group in GROUPS}


class FlowState:
    """Counts between two looks at Kafka, so rates are per second over the last interval."""

    def __init__(self, kafka: Kafka, prefix: str):
        self.kafka, self.prefix = kafka, prefix
        self.previous: tuple[float, dict[str, int]] | None = None
        self.lock = threading.Lock()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            topics = {row["topic"]: row for row in self.kafka.topics(self.prefix, sample_seconds=0)}
            now = time.monotonic()
            counts = {name: row["messages"] for name, row in topics.items()}
            rates = {}
            if self.previous:
                elapsed = max(0.001, now - self.previous[0])
                rates = {name: round((counts[name] - self.previous[1].get(name, counts[name])) / elapsed, 2) for name in counts}
            self.previous = (now, counts)
        lag: dict[tuple[str, str], int | None] = {}
        for row in self.kafka.lag(self.prefix, subscriptions(self.prefix)):
            key = (row["group"].removeprefix(self.prefix), row["topic"].removeprefix(self.prefix))
            known = lag.get(key, 0)
            lag[key] = None if known is None or row["lag"] is None else known + row["lag"]
        flows = []
        for short, producer in PRODUCERS.items():
            name = self.prefix + short
            flows.append({
                "topic": short, "producer": producer, "messages": counts.get(name, 0), "per_second": rates.get(name, 0.0),
                "consumers": [{"group": g, "lag": lag.get((g, short), 0)} for g in CONSUMERS[short]],
            })
        dead = {g: counts.get(dead_letter_topic(self.prefix, g), 0) for g in GROUPS}
        recent = []
        for short in PRODUCERS:
            name = self.prefix + short
            if counts.get(name):
                recent += [describe(r) for r in self.kafka.records(name, limit=200, timeout=1.0)][-5:]
        recent = sorted(recent, key=lambda r: r["timestamp"])[-10:]
        return {
            "flows": flows,
            "dead_letters": dead,
            "recent": [{k: r.get(k) for k in ("timestamp", "type", "subject", "correlation_id")} for r in recent],
        }


def kafka_gauges(kafka: Kafka, prefix: str):
    """Consumer lag per group, topic and partition, and messages per topic, for Prometheus."""
    try:
        lag = kafka.lag(prefix, subscriptions(prefix))
        topics = kafka.topics(prefix, sample_seconds=0)
    except Exception:  # Kafka away: the scrape still answers; the broker's absence shows as no series
        return
    yield ("bsm_consumer_lag", "Messages a consumer group has yet to handle", ["group", "topic", "partition"],
           [([r["group"], r["topic"], str(r["partition"])], float(r["lag"])) for r in lag if r["lag"] is not None])
    yield ("bsm_topic_messages", "Messages held in each topic", ["topic"], [([t["topic"]], float(t["messages"])) for t in topics])


def create_app() -> Flask:
    settings = load_settings("ops")
    app = Flask(__name__)
    state = FlowState(Kafka(settings.kafka_bootstrap_servers), settings.topic_prefix)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": "ops"}

    @app.get("/flow/data")
    def flow_data():
        try:
            return state.snapshot()
        except Exception as exc:  # Kafka away or answering oddly: the page says so instead of waiting
            log.warning("flow data unavailable", extra={"error": repr(exc)})
            return problem_response(503, "Kafka could not be read", f"{type(exc).__name__}: {exc}")

    @app.get("/flow")
    def flow_page():
        return Response(PAGE, mimetype="text/html")

    app.register_blueprint(metrics_blueprint(StateCollector(lambda: kafka_gauges(state.kafka, settings.topic_prefix))))

    return app


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>BSM message flows</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
.flow{display:flex;align-items:center;gap:.6em;margin:.8em 0}
.box{border:2px solid #345;border-radius:6px;padding:.5em .8em;min-width:9em;text-align:center}
.topic{border-color:#888;background:#f4f4f4}
.arrow{min-width:8em;text-align:center;font-size:.85em;color:#345}
.dead{color:#c00;font-weight:bold}
.error{color:#c00;border:2px solid #c00;border-radius:6px;padding:.5em .8em}
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:3px 6px;font-size:.85em}
</style></head>
<body><h1>Message flows</h1><div id="status" data-state="loading"></div><div id="flows">loading…</div>
<h2>Dead letters</h2><div id="dead"></div>
<h2>Most recent events</h2><table id="recent"></table>
<p id="updated"></p>
<script>
function el(tag, cls, text){const e=document.createElement(tag); if(cls) e.className=cls; if(text!==undefined) e.textContent=text; return e;}
function failed(reason){
  const status = document.getElementById('status');
  status.className = 'error'; status.dataset.state = 'error';
  status.textContent = 'Cannot show the flows: '+reason+' (trying again every 2 s)';
  const flows = document.getElementById('flows');
  if (flows.textContent === 'loading…') flows.textContent = '';
  document.getElementById('updated').textContent = 'failed '+new Date().toISOString();
}
async function load(){
  const response = await fetch('flow/data');
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok || !body) throw new Error((body && (body.detail || body.title)) || ('HTTP '+response.status+' '+response.statusText));
  return body;
}
async function refresh(){
  let data;
  try { data = await load(); } catch (e) { failed(e.message || String(e)); return; }
  const status = document.getElementById('status'); status.className = ''; status.dataset.state = 'ok'; status.textContent = '';
  const flows = document.getElementById('flows'); flows.replaceChildren();
  for (const f of data.flows){
    const row = el('div','flow'); row.dataset.topic = f.topic;
    row.append(el('div','box',f.producer), el('div','arrow',f.per_second+' msg/s →'),
               el('div','box topic',f.topic+' ('+f.messages+')'));
    for (const c of f.consumers){ const a = el('div','arrow','→ lag '+(c.lag === null ? '?' : c.lag)); a.dataset.lag=c.lag; row.append(a, el('div','box',c.group)); }
    flows.append(row);
  }
  const dead = document.getElementById('dead'); dead.replaceChildren();
  for (const [group, n] of Object.entries(data.dead_letters)){
    const d = el('div', n>0 ? 'dead' : '', group+': '+n+' dead letter(s)'); d.dataset.group = group; d.dataset.count = n; dead.append(d);
  }
  const table = document.getElementById('recent'); table.replaceChildren();
  const head = el('tr'); ['time','type','subject','correlation id'].forEach(h=>head.append(el('th','',h))); table.append(head);
  for (const r of data.recent.slice().reverse()){
    const tr = el('tr'); [r.timestamp, r.type, r.subject, r.correlation_id].forEach(v=>tr.append(el('td','',v||''))); table.append(tr);
  }
  document.getElementById('updated').textContent = 'updated '+new Date().toISOString();
}
refresh(); setInterval(refresh, 2000);
</script></body></html>"""
