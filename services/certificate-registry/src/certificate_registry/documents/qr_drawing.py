"""A QR code as a reportlab drawing of exact size, built from segno's module matrix (no raster scaling)."""

from __future__ import annotations

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors


def qr_drawing(url: str, size_pt: float) -> Drawing:
    """Draw every dark module as a square so the code is exactly `size_pt` wide including its quiet zone."""
    code = segno.make(url, error="m")
    border = 2
    matrix = list(code.matrix_iter(scale=1, border=border))
    modules = len(matrix)
    cell = size_pt / modules
    drawing = Drawing(size_pt, size_pt)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                drawing.add(
                    Rect(
                        col_index * cell,
                        size_pt - (row_index + 1) * cell,
                        cell,
                        cell,
                        fillColor=colors.black,
                        strokeColor=None,
                        strokeWidth=0,
                    )
                )
    return drawing
