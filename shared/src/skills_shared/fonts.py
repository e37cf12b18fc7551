"""The one CJK font every printed output uses: LXGW WenKai (霞鹜文楷, SIL Open Font Licence), a 楷体-style face.

Seed 001 附件4 asks for 华文楷体, which may not be redistributed; LXGW WenKai is the open 楷体 closest to it. It is
installed from Debian (``apt-get install fonts-lxgw-wenkai``; ``make install`` and ``deploy/Dockerfile`` do so) and
found by path at run time, so no font file lives in the repository. ``SKILLS_CJK_FONT`` names another file.
"""

from __future__ import annotations

import os
from pathlib import Path

CJK_FONT_ENV = "SKILLS_CJK_FONT"
CJK_FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"),
    Path("/usr/local/share/fonts/LXGWWenKai-Regular.ttf"),
)
CJK_FONT_NAME = "LXGWWenKai"


class CjkFontMissing(RuntimeError):
    """No CJK font file: every Chinese character would print as a box, so nothing is rendered at all."""


def cjk_font_path() -> Path:
    """The font file: ``SKILLS_CJK_FONT`` when set, else the Debian package's; a clear error when absent."""
    configured = os.environ.get(CJK_FONT_ENV)
    candidates = (Path(configured),) if configured else CJK_FONT_CANDIDATES
    for path in candidates:
        if path.is_file():
            return path
    raise CjkFontMissing(
        f"CJK font not found (looked at {', '.join(str(p) for p in candidates)}): "
        f"install it with `apt-get install fonts-lxgw-wenkai` or set {CJK_FONT_ENV} to a TrueType file"
    )
