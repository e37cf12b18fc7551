"""Holder photos: checked by their bytes, stored in one form in an object store (local disk, or S3 over HTTP),
printed on the certificate; refused uploads leave nothing behind."""

from __future__ import annotations

import base64
import io
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pdfplumber
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image
from registry_testkit import Registry, candidate

from certificate_registry.photos import images
from certificate_registry.photos.service import photo_key
from certificate_registry.photos.store import LocalDiskStore, S3Store
from skills_shared.problems import Problem
from skills_shared.testing import auth_headers


def picture(kind: str, size: tuple[int, int] = (480, 640)) -> bytes:
    image = Image.new("RGB", size, (230, 230, 240))
    image.paste((90, 60, 50), (size[0] // 3, size[1] // 4, 2 * size[0] // 3, 3 * size[1] // 4))
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


def upload(data: bytes) -> dict[str, str]:
    return {"content_base64": base64.b64encode(data).decode("ascii")}


def stored_files(root: Path) -> list[Path]:
    return list(root.rglob("*.jpg"))


def test_photos_are_judged_by_their_bytes() -> None:
    stored = images.normalise(picture("PNG"))
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == images.STORED_SIZE
    assert images.normalise(picture("JPEG"))[:3] == b"\xff\xd8\xff"
    refusals = {
        "a GIF, whatever its name": (picture("GIF"), "photo_type", 422),
        "a text file": (b"%PDF-1.7 not a photo at all", "photo_type", 422),
        "a truncated JPEG": (picture("JPEG")[:600], "photo_type", 422),
        "nothing": (b"", "photo_empty", 422),
        "a thumbnail": (picture("PNG", (60, 80)), "photo_dimensions", 422),
        "too many bytes": (b"\xff\xd8\xff" + bytes(images.MAX_BYTES), "photo_too_large", 413),
    }
    for name, (data, code, status) in refusals.items():
        with pytest.raises(Problem) as refused:
            images.normalise(data)
        assert (refused.value.code, refused.value.status) == (code, status), name


async def _certificate(registry: Registry) -> tuple[str, str]:
    await registry.put_issuer()
    row = candidate(0)
    batch_id = await registry.ready_batch([row])
    assert (await registry.issue(batch_id)).status_code == 201
    roster = await registry.client.get(f"/v1/batches/{batch_id}/roster", headers=registry.staff())
    return roster.json()["entries"][0]["number"], str(row["id_number"])


async def test_upload_print_and_refusals(
    registry: Registry, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    registry.app.state.photo_store = LocalDiskStore(tmp_path)
    number, id_number = await _certificate(registry)
    holder = auth_headers("citizen", sub=id_number)
    path = f"/v1/certificates/{number}/photo"

    bad = await client.put(path, json=upload(picture("GIF")), headers=holder)
    assert bad.status_code == 422 and bad.json()["code"] == "photo_type"
    assert bad.json()["errors"][0]["loc"] == ["body", "content_base64"]
    garbled = await client.put(path, json={"content_base64": "not base64!"}, headers=holder)
    assert garbled.status_code == 422 and garbled.json()["code"] == "photo_encoding"
    raw = await client.put(path, content=picture("PNG"), headers={**holder, "Content-Type": "image/png"})
    assert raw.status_code == 415, "the suite takes JSON bodies only"
    assert (await client.get(path, headers=holder)).status_code == 404, "a refused upload stores nothing"
    assert not stored_files(tmp_path)

    stranger = auth_headers("citizen", sub="11010519491231002X")
    assert (await client.put(path, json=upload(picture("PNG")), headers=stranger)).status_code == 403
    other_body = auth_headers("org_staff", body="S000050080009")
    assert (await client.put(path, json=upload(picture("PNG")), headers=other_body)).status_code == 403
    officer = registry.officer("07")
    assert (await client.put(path, json=upload(picture("PNG")), headers=officer)).status_code == 403

    by_body = await client.put(path, json=upload(picture("PNG")), headers=registry.staff())
    assert by_body.status_code == 204, by_body.text
    mine = await client.put("/v1/me/photo", json=upload(picture("JPEG")), headers=holder)
    assert mine.status_code == 204, mine.text
    fetched = await client.get(path, headers=holder)
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/jpeg"
    assert (tmp_path / photo_key(id_number)).read_bytes() == fetched.content
    assert id_number not in photo_key(id_number), "no ID number in the store's keys"

    pdf = await client.get(f"/v1/certificates/{number}/document.pdf", headers=holder)
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        assert len(document.pages[0].images) == 1, "the photo is printed"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server over real HTTP, standing in for MinIO."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


async def test_the_s3_store_keeps_and_returns_photos(s3_endpoint: str) -> None:
    store = S3Store(
        bucket="holder-photos",
        endpoint_url=s3_endpoint,
        access_key="test",
        secret_key="test",
        region="us-east-1",
    )
    key = photo_key("50010619900307001X")
    assert await store.get(key) is None
    stored = images.normalise(picture("PNG"))
    await store.put(key, stored, images.STORED_TYPE)
    assert await store.get(key) == stored, "the first photo created the bucket, as on a fresh MinIO"
    listed = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).list_objects_v2(Bucket="holder-photos")
    assert [o["Key"] for o in listed["Contents"]] == [key]


async def test_the_local_store_refuses_keys_that_leave_it(tmp_path: Path) -> None:
    store = LocalDiskStore(tmp_path / "photos")
    with pytest.raises(ValueError, match="leaves the store"):
        await store.put("../outside.jpg", b"x", "image/jpeg")
