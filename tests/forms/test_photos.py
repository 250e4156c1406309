"""Photos: recognised by content, re-encoded without metadata, refused when they cannot be."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from mapper.errors import MapperError
from mapper.forms.photos import reencode

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(width: int = 40, height: int = 20, orientation: int = 6) -> bytes:
    """A JPEG carrying GPS coordinates, a camera model, an XMP packet and a rotation."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Canary Camera"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 39.0, 33.5), 3: "E", 4: (102.0, 33.0, 48.7)})
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description GPSLatitude="13.6593"/></x:xmpmeta>'
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, xmp=xmp)
    return out.getvalue()


def test_a_jpeg_with_gps_comes_back_with_no_metadata_and_upright():
    raw = jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as original:  # the fixture really carries the canaries
        assert original.getexif().get_ifd(GPS_IFD)
    assert b"Canary Camera" in raw and b"xmpmeta" in raw

    clean = reencode(raw)

    assert clean.media_type == "image/jpeg"
    assert b"Exif" not in clean.content and b"Canary Camera" not in clean.content
    assert b"xmpmeta" not in clean.content and b"GPS" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert not image.getexif()
        assert image.info.get("xmp") is None
        # Orientation 6 (rotate 90°) was applied to the pixels before the tag was dropped.
        assert image.size == (20, 40)
    assert (clean.width, clean.height) == (20, 40)


def test_png_text_chunks_and_webp_metadata_are_dropped():
    image = Image.new("RGBA", (8, 8), (0, 0, 255, 128))
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "lat 13.6593 lon 102.5635")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    clean = reencode(out.getvalue())
    assert clean.media_type == "image/png"
    assert b"13.6593" not in clean.content and b"tEXt" not in clean.content

    exif = Image.Exif()
    exif[0x0110] = "Canary Camera"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="WEBP", exif=exif)
    assert b"Canary Camera" in out.getvalue()
    clean = reencode(out.getvalue())
    assert clean.media_type == "image/webp" and b"Canary Camera" not in clean.content


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def bomb() -> bytes:
    """A tiny PNG that claims 10,000 × 10,000 pixels (100 megapixels)."""
    header = (10_000).to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    rows = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", rows)
        + png_chunk(b"IEND", b"")
    )


def polyglot() -> bytes:
    """A valid JPEG whose comment is also an HTML page with a script."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="JPEG", comment=b"<html><script>alert(1)</script>")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "data, reason",
    [
        (SVG, "Only JPEG, PNG or WebP"),
        (b"GIF89a" + b"\0" * 40, "Only JPEG, PNG or WebP"),
        (polyglot(), "not a plain photo"),
        (jpeg_with_gps()[:300], "damaged or incomplete"),
        (bomb(), "40 megapixels"),
        (b"\xff\xd8\xff" + b"\0" * (10 * 2**20), "10 MiB"),
    ],
    ids=["svg", "gif", "polyglot", "truncated", "decompression-bomb", "too-large"],
)
def test_refused_uploads_name_the_field_and_say_why(app, data, reason):
    with app.test_request_context(), pytest.raises(MapperError) as refused:
        reencode(data, "answers.photo")
    assert refused.value.status == 422
    assert refused.value.field == "answers.photo"
    assert reason in refused.value.message
