"""What a holder photo must be, judged from its bytes (never its name or declared type), and its one stored form.

Accepted: a JPEG or PNG that Pillow decodes, at most ``MAX_BYTES``, between ``MIN_SIZE`` and ``MAX_PIXELS``. It is
stored as one form only — cropped to the 35×49 mm proportion of a 二寸 photo around its centre, scaled to 413×579
pixels (300 dpi), flattened on white and saved as JPEG — so printing never depends on what was uploaded.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from skills_shared.refusals import Refusal

RULE_CONTENT = "CR-5"
MAX_BYTES = 2_000_000
MIN_SIZE = (140, 196)
MAX_PIXELS = 30_000_000
"""Anything larger is refused before it is decoded (a decompression bomb stays a refusal, not an outage)."""
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
STORED_SIZE = (413, 579)
"""二寸 (35×49 mm) at 300 dpi."""
STORED_TYPE = "image/jpeg"
FIELD = ("body", "content_base64")


def _refuse(code: str, detail: str, status: int = 422) -> Refusal:
    return Refusal(RULE_CONTENT, code, detail, field=FIELD, status=status)


def normalise(data: bytes) -> bytes:
    """The stored JPEG of an uploaded photo; a Refusal naming the reason when the bytes are not an accepted photo."""
    if not data:
        raise _refuse("photo_empty", "未收到照片内容")
    if len(data) > MAX_BYTES:
        raise _refuse("photo_too_large", f"照片不得超过 {MAX_BYTES // 1_000_000} MB", 413)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format or ""
                width, height = probe.size
                if kind not in ACCEPTED_FORMATS:
                    raise _refuse("photo_type", "照片应为 JPEG 或 PNG 格式")
                if width * height > MAX_PIXELS:
                    raise _refuse("photo_dimensions", "照片像素过多")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except Refusal:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise _refuse("photo_type", "照片应为 JPEG 或 PNG 格式，且文件完整") from exc
    if upright.width < MIN_SIZE[0] or upright.height < MIN_SIZE[1]:
        raise _refuse("photo_dimensions", f"照片至少应为 {MIN_SIZE[0]}×{MIN_SIZE[1]} 像素")
    rgba = upright.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    fitted = ImageOps.fit(flat, STORED_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=90, dpi=(300, 300))
    return out.getvalue()
