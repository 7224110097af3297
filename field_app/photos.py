"""Shrink photos on the phone before they queue: small JPEGs, right way up, no hidden metadata.

A 12-megapixel camera photo (4–6 MB) becomes a JPEG of at most 1280 px on its longest side at
quality 80 (typically 150–300 kB), which is what a slow village connection can carry. The EXIF
orientation is applied to the pixels and then every EXIF field is dropped (GPS position, phone
model, time), so a photo never leaks more than the report itself says.

Pillow does it on a CPython host (phone, desktop, web-mode host); in the offline web app the
browser's own decoder and JPEG encoder do the same (``platform.current().shrink_photo``).
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from field_app import platform
from field_app.errors import PhotoUnreadable

MAX_SIDE = 1280
QUALITY = 80
MAX_PIXELS = 80_000_000        # refuse decompression bombs; a 50 MP camera fits


@dataclass(frozen=True, slots=True)
class ShrunkPhoto:
    data: bytes
    sha256: str
    width: int
    height: int


def shrink_photo(raw: bytes, *, max_side: int = MAX_SIDE, quality: int = QUALITY) -> ShrunkPhoto:
    """Decode ``raw`` (JPEG, PNG, HEIC if the platform can, …) and return the shrunk JPEG and its SHA-256."""
    if not raw:
        raise PhotoUnreadable("Foto kosong.", message_en="The photo is empty.")
    data, width, height = platform.current().shrink_photo(raw, max_side, quality)
    return ShrunkPhoto(data=data, sha256=hashlib.sha256(data).hexdigest(), width=width, height=height)


def shrink_with_pillow(raw: bytes, max_side: int, quality: int) -> tuple[bytes, int, int]:
    """The JPEG bytes, width and height, by Pillow."""
    from PIL import Image, ImageOps

    image = _open(raw)
    try:
        image.draft("RGB", (max_side, max_side))     # JPEG: decode at a reduced scale, much faster
        upright = ImageOps.exif_transpose(image) or image
        rgb = _flatten(upright)
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        rgb.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoUnreadable("Foto tidak dapat dibaca.", message_en="The photo could not be read.") from exc
    return out.getvalue(), rgb.width, rgb.height


def _open(raw: bytes) -> Any:
    from PIL import Image, UnidentifiedImageError

    if not raw:
        raise PhotoUnreadable("Foto kosong.", message_en="The photo is empty.")
    try:
        image = Image.open(io.BytesIO(raw))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PhotoUnreadable("Foto tidak dapat dibaca.", message_en="The photo could not be read.") from exc
    if image.width * image.height > MAX_PIXELS:
        raise PhotoUnreadable("Foto terlalu besar.", message_en="The photo is too large.")
    return image


def _flatten(image: Any) -> Any:
    """RGB without alpha: transparent areas become white, as a viewer would show them."""
    from PIL import Image

    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
