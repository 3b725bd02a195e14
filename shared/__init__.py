"""Code every service shares: event envelope, Kafka and Mongo helpers, config, logging, HTTP."""
