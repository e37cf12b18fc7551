"""Domain events for partners: ingest from the services' outboxes, subscriptions, signed webhooks, a pull feed."""
