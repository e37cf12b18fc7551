"""Serve the merged document at ``/openapi.json`` (and so on ``/docs``), built once per process on first use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from gateway.openapi.merge import merged_document
from gateway.relayed.table import RELAYED_SERVICES


def install_merged_document(app: FastAPI, documents: Mapping[str, Mapping[str, Any]]) -> None:
    """Replace the app's document with the merge of its own (as the platform documents it: every error as
    problem+json) and the services' ``documents`` (by service name). Call once, after every route is added."""
    own_document = app.openapi
    built: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not built:
            services = [(s, documents[s.service]) for s in RELAYED_SERVICES]
            built.append(merged_document(own_document(), services))
            app.openapi_schema = built[0]
        return built[0]

    app.openapi = openapi  # type: ignore[method-assign]
