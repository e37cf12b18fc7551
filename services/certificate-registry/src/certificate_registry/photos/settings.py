"""Where holder photos are kept: fields the registry's settings take in (``REGISTRY_PHOTO_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class PhotoStoreSettings(BaseModel):
    """``photo_store=local`` (default) keeps photos under ``photo_dir``; ``s3`` in a bucket of an S3-compatible
    service (MinIO in docker-compose)."""

    photo_store: Literal["local", "s3"] = Field(
        default="local", description="Where holder photos are kept: local disk, or an S3-compatible service."
    )
    photo_dir: Path = Field(default=Path(".data/photos"), description="Directory of the local-disk store.")
    photo_s3_endpoint_url: str | None = Field(
        default=None, description="e.g. http://minio:9000; unset for AWS."
    )
    photo_s3_bucket: str = Field(
        default="holder-photos", description="Created on the first photo if missing."
    )
    photo_s3_access_key: str | None = Field(
        default=None, description="Unset: boto3's usual credential chain."
    )
    photo_s3_secret_key: str | None = None
    photo_s3_region: str = "us-east-1"
