"""The SQL store: the read model projected from the topics, the event_log archive and the delivery ledger."""
