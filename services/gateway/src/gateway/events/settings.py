"""Settings of partner event delivery (environment prefix ``GATEWAY_EVENTS_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EventSettings(BaseSettings):
    """How webhooks are delivered; the defaults are production's, tests shorten the back-off."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_EVENTS_", extra="ignore")

    delivery_enabled: bool = Field(default=True, description="Run the webhook delivery loop in this process.")
    poll_s: float = Field(default=0.5, gt=0, description="How often the loop looks for due deliveries.")
    timeout_s: float = Field(default=10.0, gt=0, le=60, description="Timeout of one webhook request.")
    backoff_base_s: float = Field(default=5.0, gt=0, description="Wait after the first failed attempt.")
    backoff_max_s: float = Field(default=6 * 3600.0, gt=0, description="Longest wait between two attempts.")
    retry_window_s: float = Field(
        default=3 * 24 * 3600.0,
        gt=0,
        description="How long a delivery is retried before the endpoint is disabled.",
    )
    lease_margin_s: float = Field(
        default=30.0, gt=0, description="A claimed delivery is retried this long after its request timed out."
    )
    max_endpoints_in_flight: int = Field(
        default=64, ge=1, description="Endpoints served at once; each has its own queue and task."
    )
    per_endpoint_concurrency: int = Field(
        default=4, ge=1, le=32, description="Requests in flight to one endpoint (never two for one resource)."
    )
    secret_grace_s: float = Field(
        default=24 * 3600.0, ge=0, description="After a rotation, how long the old secret also signs."
    )
