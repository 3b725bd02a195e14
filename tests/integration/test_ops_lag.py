"""Consumer lag on the real Kafka: groups that have committed nothing (or not started)
count from the beginning of the log, topics created a moment ago are there, and a
partition Kafka cannot answer for is reported unknown instead of failing the call."""
import json
import time

import pytest
from kafka import KafkaProducer, OffsetSpec, TopicPartition
from kafka.errors import UnknownTopicOrPartitionError
from kafka.structs import OffsetAndMetadata, OffsetAndTimestamp

from ops import cli
from ops.kafka_views import Kafka, Unknown, partition_offsets
from shared.kafka_io import ensure_topics, make_consumer
from tests.helpers import wait_until


def run_cli(capsys, monkeypatch, env, *args):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["ops", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def produce(settings, topic, keys):
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    sent = [producer.send(topic, key=key.encode(), value=b"{}").get(timeout=10) for key in keys]
    producer.close()
    return sent


def by_group_and_topic(rows):
    totals = {}
    for row in rows:
        key = (row["group"], row["topic"])
        totals[key] = totals.get(key, 0) + row["lag"]
    return totals


@pytest.mark.stack
def test_lag_counts_groups_without_commits_from_the_beginning_and_sees_topics_created_later(settings_for, isolation, capsys, monkeypatch):
    settings = settings_for("matching")
    prefix = settings.topic_prefix
    registration, matching = settings.topic("registration.events"), settings.topic("matching.events")
    matching_group, notifications_group = f"{prefix}matching", f"{prefix}notifications"
    ensure_topics(settings, [registration])
    produce(settings, registration, ["a", "b", "c"])

    before = run_cli(capsys, monkeypatch, isolation, "lag")  # no group has started: each would read all three
    assert by_group_and_topic(before) == {(matching_group, registration): 3, (notifications_group, registration): 3}
    assert {row["committed"] for row in before} == {None}

    joined = make_consumer(settings, matching_group, [registration])  # joins, reads nothing, commits nothing
    try:
        wait_until(lambda: joined.poll(timeout_ms=100) is not None and joined.assignment(), what="partitions assigned")
        ensure_topics(settings, [matching])  # created after the first look
        [first, _] = produce(settings, matching, ["m", "m"])
        committer = make_consumer(settings, notifications_group, [registration, matching])
        try:
            wait_until(lambda: committer.poll(timeout_ms=100) is not None and committer.assignment(), what="partitions assigned")
            committer.commit({TopicPartition(matching, first.partition): OffsetAndMetadata(1, "", -1)})
        finally:
            committer.close()
        after = run_cli(capsys, monkeypatch, isolation, "lag")
    finally:
        joined.close()
    assert by_group_and_topic(after) == {(matching_group, registration): 3, (notifications_group, registration): 3,
                                         (notifications_group, matching): 1}
    [committed] = [row for row in after if row["committed"] is not None]
    assert (committed["topic"], committed["partition"], committed["committed"], committed["end"], committed["lag"]) == (matching, first.partition, 1, 2, 1)
    assert all("error" not in row for row in after)


@pytest.mark.stack
def test_a_topic_created_after_the_first_look_is_in_the_next_on_the_same_client(settings_for):
    settings = settings_for("matching")
    kafka, topic = Kafka(settings.kafka_bootstrap_servers), settings.topic("matching.events")
    group = f"{settings.topic_prefix}notifications"
    assert kafka.lag(settings.topic_prefix, {group: [topic]}) == []  # the topic does not exist yet
    ensure_topics(settings, [topic])
    produce(settings, topic, ["x"])
    rows = kafka.lag(settings.topic_prefix, {group: [topic]})
    assert sum(row["lag"] for row in rows) == 1 and {row["committed"] for row in rows} == {None}


class Admin:
    """An admin client whose brokers answer for some topics and not (yet) for others."""

    def __init__(self, offsets, failing):
        self.offsets, self.failing = offsets, failing

    def list_partition_offsets(self, specs):
        if any(tp.topic in self.failing for tp in specs):
            raise UnknownTopicOrPartitionError(f"not known: {sorted({tp.topic for tp in specs if tp.topic in self.failing})}")
        return {tp: OffsetAndTimestamp(self.offsets[tp], -1, 0) for tp in specs}


def test_a_partition_kafka_cannot_answer_for_is_unknown_and_the_others_are_still_given():
    known, new = TopicPartition("t.known", 0), TopicPartition("t.new", 0)
    offsets = partition_offsets(Admin({known: 7}, failing={"t.new"}), [known, new], OffsetSpec.LATEST)
    assert offsets[known] == 7
    assert isinstance(offsets[new], Unknown) and "t.new" in offsets[new]
