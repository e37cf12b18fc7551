"""Where holder photos are kept (environment prefix ``REGISTRY_PHOTO_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PhotoSettings(BaseSettings):
    """``store=local`` (default) keeps photos under ``dir``; ``store=s3`` in a bucket of an S3-compatible service."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_PHOTO_", extra="ignore")

    store: Literal["local", "s3"] = "local"
    dir: Path = Field(default=Path(".data/photos"), description="Directory of the local-disk store.")
    s3_endpoint_url: str | None = Field(default=None, description="e.g. http://minio:9000; unset for AWS.")
    s3_bucket: str = "holder-photos"
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"
