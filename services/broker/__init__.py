"""Kafka brokers: the embedded Tansu child process and topic administration for any cluster."""
