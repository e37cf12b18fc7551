"""Tests for the certificate document pieces: canonical JSON, Ed25519 signatures, QR codes, the CR-5 PDF."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from certificate_registry.documents.pdf import CertificateSheet, render_pdf
from certificate_registry.documents.qr import qr_png, qr_svg, verify_url
from certificate_registry.documents.signing import (
    SigningKey,
    canonical_json,
    verify_document,
    verify_qr_token,
)

KEY = SigningKey.from_seed(bytes(range(32)))


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "张三", "c": [1, {"z": None, "y": True}]}) == (
        '{"a":"张三","b":1,"c":[1,{"y":true,"z":null}]}'.encode()
    )


documents = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(st.text(max_size=20), st.integers(-(10**9), 10**9), st.booleans(), st.none()),
    max_size=8,
)


@given(documents)
def test_signature_verifies_and_any_change_breaks_it(document: dict[str, object]) -> None:
    signature = KEY.sign_document(document)
    assert verify_document(KEY.public_raw, document, signature)
    changed = {**document, "\x00tampered": 1}
    assert not verify_document(KEY.public_raw, changed, signature)
    other = SigningKey.from_seed(bytes(32))
    assert not verify_document(other.public_raw, document, signature)


def test_garbage_signatures_are_just_invalid() -> None:
    for signature in ("", "!!!", "AAAA", "a" * 200):
        assert not verify_document(KEY.public_raw, {"a": 1}, signature)


def test_qr_token_binds_the_number() -> None:
    token = KEY.qr_token("S00005007000125300000l")
    assert verify_qr_token(KEY.public_raw, "S00005007000125300000l", token)
    assert not verify_qr_token(KEY.public_raw, "S000050070001253000002", token)
    url = verify_url("https://gw.example/", "S000050070001253000001", token)
    assert url.startswith("https://gw.example/verify?n=S000050070001253000001&t=")
    assert qr_png(url).startswith(b"\x89PNG")
    assert b"<svg" in qr_svg(url)
    assert KEY.key_id == KEY.key_id and len(KEY.key_id) == 16


def _page_content(pdf: bytes) -> bytes:
    streams = re.findall(rb"stream\r?\n(.*?)\s*endstream", pdf, re.S)
    out = b""
    for raw in streams:
        data = raw.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data, adobe=True)
        try:
            out += zlib.decompress(data)
        except zlib.error:
            out += data
    return out


def test_pdf_follows_cr5_layout() -> None:
    sheet = CertificateSheet(
        number="S000050070001253000001",
        holder_name="张三",
        id_number="500106199003070011",
        occupation_name="电工",
        work_type=None,
        level=3,
        issue_date=date(2025, 10, 15),
        body_name="重庆市某职业技能评价中心",
        query_address="https://gw.example/verify",
        verify_url="https://gw.example/verify?n=S000050070001253000001&t=x",
    )
    pdf = render_pdf(sheet)
    assert pdf.startswith(b"%PDF")
    assert re.search(rb"/MediaBox \[\s*0 0 841\.88\d* 595\.27\d*\s*\]", pdf)
    assert b"+LXGWWenKai" in pdf, "the CJK face is embedded as a subset"
    content = _page_content(pdf)
    assert b"2.25 w" in content
    # the border: 269 × 188 mm in points
    assert re.search(rb"762\.5\d* 532\.9\d* re", content)
    assert b" 30 Tf" in content and b" 16 Tf" in content and b" 14 Tf" in content
