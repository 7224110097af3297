"""Photos are shrunk on the phone: at most 1024 px, right way up, WebP, with no EXIF left."""
from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from field_app.errors import PhotoUnreadable
from field_app.photos import shrink_photo
from tests.app.builders import jpeg_bytes

ORIENTATION, GPS_IFD, MAKE = 0x0112, 0x8825, 0x010F


def _camera_photo(size=(4000, 3000), orientation=6) -> bytes:
    """A phone camera JPEG: landscape pixels, 'rotate 90°' in EXIF, a GPS position and a phone model."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneCo"
    exif[GPS_IFD] = {1: "S", 2: (2.0, 2.0, 2.0), 3: "E", 4: (101.0, 23.0, 32.0)}
    image = Image.new("RGB", size, (30, 120, 200))
    image.paste((250, 250, 0), (0, 0, 400, 300))          # a marker in the top-left corner
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_a_big_camera_photo_shrinks_to_1024_upright_without_exif():
    raw = _camera_photo()
    photo = shrink_photo(raw)
    image = Image.open(io.BytesIO(photo.data))
    assert image.format == "WEBP"
    assert (photo.width, photo.height) == (image.width, image.height) == (768, 1024)   # rotated: portrait
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert image.getpixel((760, 10))[2] < 60 and image.getpixel((10, 10))[2] > 150   # marker now top-right
    assert len(photo.data) < len(raw) / 4


def test_the_hash_is_of_the_shrunk_bytes():
    photo = shrink_photo(_camera_photo(size=(1600, 1200), orientation=1))
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()
    assert (photo.width, photo.height) == (1024, 768)


def test_a_small_photo_keeps_its_size():
    photo = shrink_photo(jpeg_bytes(size=(320, 240)))
    assert (photo.width, photo.height) == (320, 240)


def test_a_transparent_png_becomes_a_white_backed_photo():
    out = io.BytesIO()
    Image.new("RGBA", (100, 50), (255, 0, 0, 0)).save(out, format="PNG")
    photo = shrink_photo(out.getvalue())
    image = Image.open(io.BytesIO(photo.data))
    assert image.mode == "RGB" and image.getpixel((50, 25))[0] > 240 and image.getpixel((50, 25))[1] > 240


@pytest.mark.parametrize("raw", [b"", b"not an image", b"\xff\xd8\xff\xe0 broken jpeg"])
def test_unreadable_bytes_raise_photo_unreadable(raw):
    with pytest.raises(PhotoUnreadable):
        shrink_photo(raw)
