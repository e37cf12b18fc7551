"""Holder photos by holder: one photo per ID number, printed on every certificate the holder has."""

from __future__ import annotations

import hashlib

from fastapi import FastAPI

from certificate_registry.photos import images
from certificate_registry.photos.settings import PhotoStoreSettings
from certificate_registry.photos.store import LocalDiskStore, ObjectStore, S3Store

KEY_PREFIX = "holder-photos/"


def photo_key(id_number: str) -> str:
    """The object key of a holder's photo: a digest, so no ID number appears in the store's listings or logs."""
    digest = hashlib.sha256(b"holder-photo:" + id_number.upper().encode("ascii")).hexdigest()
    return f"{KEY_PREFIX}{digest}.jpg"


def build_store(settings: PhotoStoreSettings) -> ObjectStore:
    if settings.photo_store == "s3":
        return S3Store(
            bucket=settings.photo_s3_bucket,
            endpoint_url=settings.photo_s3_endpoint_url,
            access_key=settings.photo_s3_access_key,
            secret_key=settings.photo_s3_secret_key,
            region=settings.photo_s3_region,
        )
    return LocalDiskStore(settings.photo_dir)


def store_of(app: FastAPI) -> ObjectStore:
    """The app's store, built from its settings on first use (tests set ``app.state.photo_store``)."""
    store: ObjectStore | None = getattr(app.state, "photo_store", None)
    if store is None:
        store = build_store(app.state.settings)
        app.state.photo_store = store
    return store


async def save_photo(store: ObjectStore, id_number: str, data: bytes) -> bytes:
    """Check and normalise the upload, then replace the holder's photo; returns the stored JPEG."""
    stored = images.normalise(data)
    await store.put(photo_key(id_number), stored, images.STORED_TYPE)
    return stored


async def photo_of(store: ObjectStore, id_number: str) -> bytes | None:
    return await store.get(photo_key(id_number))
