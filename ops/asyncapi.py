"""The AsyncAPI 3 document of the platform, generated from the event catalogue.

Channels are the topics, messages the event types (payload from the very marshmallow
schemas producers validate with), operations who sends and who receives. Because it is
built from the code, it cannot drift; ``docs/asyncapi.json`` is a generated copy that a test
keeps equal to a fresh build.
"""
from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from shared import contracts
from shared.consumer import dead_letter_topic

from services.matching.handlers import SUBSCRIBES_TO as MATCHING_READS
from services.notifications.handlers import SUBSCRIBES_TO as NOTIFICATIONS_READS

CONSUMERS = {"matching": MATCHING_READS, "notifications": NOTIFICATIONS_READS}
"""Each consumer group (by service) and the topics (logical names) it reads."""
CLOUDEVENT_HEADERS = {
    "type": "object",
    "required": ["ce_id", "ce_source", "ce_type", "ce_specversion"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Unique per event; consumers deduplicate by it"},
        "ce_source": {"type": "string", "description": "/bsm/<service>"},
        "ce_type": {"type": "string", "description": "bsm.<service>.<entity>.<happened>.v<N>"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "The entity id (also the record key)"},
        "ce_correlationid": {"type": "string", "description": "The request or flow this event belongs to"},
        "ce_causationid": {"type": "string", "description": "The event that caused this one"},
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def subscriptions(topic_prefix: str) -> dict[str, list[str]]:
    """Each consumer group's Kafka id and the Kafka topics it reads, under ``topic_prefix``."""
    return {f"{topic_prefix}{group}": [f"{topic_prefix}{topic}" for topic in reads] for group, reads in CONSUMERS.items()}


def build(topic_prefix: str = "bsm.") -> dict[str, Any]:
    contracts.topics()
    spec = APISpec("bsm-events", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, contract in sorted(contracts.CATALOGUE.items()):
        name = _message_name(event_type)
        schema_name = contract.schema.__name__
        if schema_name not in spec.components.schemas:
            spec.components.schema(schema_name, schema=contract.schema)
        messages[name] = {
            "name": event_type,
            "title": event_type,
            "summary": contract.summary,
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
            "payload": {"$ref": f"#/components/schemas/{schema_name}"},
            "bindings": {"kafka": {"key": {"type": "string", "description": "the entity id (ce_subject)"}}},
        }
        channel = channels.setdefault(_channel_id(contract.topic), {"address": f"{topic_prefix}{contract.topic}", "messages": {}})
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for group in CONSUMERS:
        channels[f"{group}_dlq"] = {
            "address": dead_letter_topic(topic_prefix, group),
            "description": f"What the {group} consumer could not process: the original record, with dlq_reason, dlq_error, "
                           "dlq_origin_topic/partition/offset, dlq_group and dlq_failed_at headers.",
            "messages": {},
        }
    operations = {}
    for topic in contracts.topics():
        producer = topic.split(".", 1)[0]
        operations[f"{producer}_publishes_{_channel_id(topic)}"] = {"action": "send", "channel": {"$ref": f"#/channels/{_channel_id(topic)}"}}
        for consumer, reads in CONSUMERS.items():
            if topic in reads:
                operations[f"{consumer}_consumes_{_channel_id(topic)}"] = {"action": "receive", "channel": {"$ref": f"#/channels/{_channel_id(topic)}"}}
    schemas = spec.to_dict()["components"]["schemas"]
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Buyer-Seller Meet platform events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 in the Kafka binary binding: ce_* headers, JSON data as the value, the entity id as the key."},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": {"CloudEventHeaders": CLOUDEVENT_HEADERS, **schemas}},
    }


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_")


def _message_name(event_type: str) -> str:
    return event_type.removeprefix("bsm.").replace(".", "_")


