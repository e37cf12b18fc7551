"""A QR code drawn straight onto a PDF canvas at exact size, from segno's module matrix (no raster scaling).

One filled path of squares: building a reportlab Drawing of ~1,400 validated Rect shapes cost most of a
certificate's render time."""

from __future__ import annotations

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 2


def draw_qr(canvas: Canvas, url: str, x: float, y: float, size_pt: float) -> None:
    """Draw the code with its lower-left corner at (x, y), exactly `size_pt` wide including its quiet zone."""
    code = segno.make(url, error="m")
    matrix = list(code.matrix_iter(scale=1, border=QUIET_ZONE))
    cell = size_pt / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size_pt - (row_index + 1) * cell
        for col_index, dark in enumerate(row):
            if dark:
                path.rect(x + col_index * cell, top, cell, cell)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
