"""Photo uploads: recognised by content, size-checked, re-encoded with Pillow so that no EXIF, XMP
or GPS survives (orientation applied first), and stored under random names outside static/.
What cannot be re-encoded is refused, never stored as it came."""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageOps

from mapper.errors import MapperError

MAX_BYTES = 10 * 2**20
MAX_PIXELS = 40_000_000
# Pillow's own guard stops at twice its limit; ours refuses anything above MAX_PIXELS first.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
KINDS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
# Markup inside an image means the file is also a page or a script (a polyglot). Signatures
# are long enough that compressed pixels do not hold one by chance.
FOREIGN = (b"<script", b"<html", b"<!doctype", b"<?php", b"<iframe", b"<body", b"<object")


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    media_type: str
    extension: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The image kind its first bytes announce, whatever its name says."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _refuse(message: str, field: str) -> MapperError:
    return MapperError(message, field, 422)


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding the pixels alone: no info, EXIF, XMP, ICC or text chunks."""
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def reencode(data: bytes, field: str = "photo") -> CleanPhoto:
    """The photo re-encoded without metadata; MapperError (422, naming `field`) if refused."""
    if len(data) > MAX_BYTES:
        raise _refuse(_("A photo may be at most 10 MiB."), field)
    kind = sniff(data)
    if kind is None:
        raise _refuse(_("Only JPEG, PNG or WebP photos are accepted."), field)
    if any(marker in data.lower() for marker in FOREIGN):
        raise _refuse(_("This file is not a plain photo."), field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise _refuse(_("A photo may have at most 40 megapixels."), field)
                image.load()
                upright = ImageOps.exif_transpose(image)
                clean = _pixels_only(upright)
    except MapperError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("A photo may have at most 40 megapixels."), field) from None
    except Exception:  # Pillow raises many kinds of error for broken files
        raise _refuse(_("This photo is damaged or incomplete."), field) from None
    if kind == "JPEG" and clean.mode == "RGBA":
        clean = clean.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 85} if kind in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(out, format=kind, **options)
    media_type, extension = KINDS[kind]
    return CleanPhoto(out.getvalue(), media_type, extension, clean.width, clean.height)


def store(photo: CleanPhoto, directory: str) -> str:
    """Write `photo` under a random name in `directory`; returns the name."""
    name = f"{secrets.token_hex(16)}.{photo.extension}"
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".{name}.part"
    draft.write_bytes(photo.content)
    os.replace(draft, folder / name)
    return name


def discard(names: list[str], directory: str) -> None:
    """Remove stored files whose report was never committed."""
    for name in names:
        (Path(directory) / name).unlink(missing_ok=True)
