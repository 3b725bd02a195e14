import json
import logging

from shared import correlation
from shared.logs import JsonFormatter


def test_log_lines_are_json_with_service_correlation_and_extras():
    formatter = JsonFormatter("matching")
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "event handled", "event_id": "e1"})
    with correlation.correlated("corr-9", "cause-3"):
        line = json.loads(formatter.format(record))
    assert line["service"] == "matching"
    assert line["correlation_id"] == "corr-9"
    assert line["causation_id"] == "cause-3"
    assert line["event_id"] == "e1"
    assert line["msg"] == "event handled"
