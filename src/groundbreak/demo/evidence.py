"""Small but valid PNG and PDF files standing in for site photos and documents.

Nodes whose kind requires evidence count as met only with a file attached, so the demo makes
them here rather than shipping binary fixtures.
"""

import struct
import zlib

# The colour of the "building" in the photo tells the kinds apart at a glance.
_COLOURS = {
    "groundbreaking": (196, 120, 52),
    "plus_minus_zero": (150, 150, 150),
    "topping_out": (200, 60, 50),
    "opening": (60, 150, 80),
}


def site_photo(kind: str, width: int = 120, height: int = 80) -> bytes:
    """A tiny picture of a site: sky, ground and a building block."""
    sky, ground = (150, 190, 230), (120, 100, 70)
    building = _COLOURS.get(kind, (90, 90, 160))
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type: none
        for x in range(width):
            if y >= height * 3 // 4:
                colour = ground
            elif width // 3 <= x < width * 2 // 3 and y >= height // 4:
                colour = building
            else:
                colour = sky
            row += bytes(colour)
        rows.append(bytes(row))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _pdf_text(line: str) -> str:
    # The base-14 fonts know no Chinese; anything outside Latin-1 becomes "?".
    text = line.encode("latin-1", errors="replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def document(lines: list[str]) -> bytes:
    """A one-page A4 PDF with the given lines in Helvetica."""
    content = "BT /F1 12 Tf 56 780 Td 18 TL " + " ".join(f"({_pdf_text(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
