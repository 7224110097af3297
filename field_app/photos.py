"""Shrink photos on the phone before they queue: small WebP pictures, right way up, no hidden metadata.

A 12-megapixel camera photo (4–6 MB) becomes a WebP of at most 1024 px on its longest side at
quality 80: about 30 kB for a real photograph (at most ~80 kB), a third of the JPEG of 1280 px at
quality 80 the app made before (issue 14), with the same SSIM on faces and close-ups — chosen by
``bench/photo_encoding.py`` on real photographs (the table is in docs/reliability.md). Every
reader shows WebP: the app (Flutter decodes it on every platform), browsers, the server serves it
as ``image/webp``. The EXIF orientation is applied to the pixels and then every EXIF field is
dropped (GPS position, phone model, time), so a photo never leaks more than the report itself says.

Pillow does it on a CPython host (phone, desktop, web-mode host); in the offline web app the
browser's own decoder and WebP encoder do the same (``platform.current().shrink_photo``; JPEG where
a browser cannot encode WebP).
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from field_app import platform
from field_app.errors import PhotoUnreadable

MAX_SIDE = 1024
QUALITY = 80
FORMAT = "WEBP"                # Pillow's name; the server judges the type by the bytes
WEBP_METHOD = 4                # libwebp's effort 0–6: 4 is its default, ~40 ms a photo on a desktop core
MAX_PIXELS = 80_000_000        # refuse decompression bombs; a 50 MP camera fits


@dataclass(frozen=True, slots=True)
class ShrunkPhoto:
    data: bytes
    sha256: str
    width: int
    height: int


def shrink_photo(raw: bytes, *, max_side: int = MAX_SIDE, quality: int = QUALITY) -> ShrunkPhoto:
    """Decode ``raw`` (JPEG, PNG, HEIC if the platform can, …) and return the shrunk photo and its SHA-256."""
    if not raw:
        raise PhotoUnreadable("Foto kosong.", message_en="The photo is empty.")
    data, width, height = platform.current().shrink_photo(raw, max_side, quality)
    return ShrunkPhoto(data=data, sha256=hashlib.sha256(data).hexdigest(), width=width, height=height)


def shrink_with_pillow(raw: bytes, max_side: int, quality: int) -> tuple[bytes, int, int]:
    """The WebP bytes, width and height, by Pillow."""
    from PIL import Image, ImageOps

    image = _open(raw)
    try:
        image.draft("RGB", (max_side, max_side))     # JPEG: decode at a reduced scale, much faster
        upright = ImageOps.exif_transpose(image) or image
        rgb = _flatten(upright)
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        rgb.save(out, format=FORMAT, quality=quality, method=WEBP_METHOD)
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
