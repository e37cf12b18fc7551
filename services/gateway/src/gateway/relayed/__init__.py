"""Every route of the four services under ``/api/v1/<service>/``: a table read from their documents, one handler."""
