"""Notifications' domain: plain Python, no Flask, Mongo, Kafka or SMTP."""
