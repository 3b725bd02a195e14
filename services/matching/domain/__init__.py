"""Matching's domain: plain Python, no Flask, Mongo or Kafka."""
