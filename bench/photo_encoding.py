"""Which encoding a report photo should travel in over 2G: bytes, encode time and SSIM on real photographs.

    .venv/bin/python bench/photo_encoding.py                  # the table in docs/reliability.md
    .venv/bin/python bench/photo_encoding.py --dir ~/photos   # your own photographs as well

Bench only, not the app's: needs numpy and scikit-image (``pip install scikit-image``), whose
``skimage/data`` ships real photographs with a face, a cat, a street and a launch pad. Scenes at
camera size come from Debian's ``mate-backgrounds`` (``/usr/share/backgrounds/mate/nature``:
12 photographs, 1280–2560 px) when installed, and from any ``--dir``. Nothing synthetic: noise
compresses like nothing a camera sees.

For every photograph the reference is the lossless picture at 1280 px on its long side (what the
app kept until now before its JPEG step; a smaller photograph stays at its own size). Each candidate
is scaled to its long side, encoded, decoded and scaled back up to the reference's size (a screen
shows it at the same size), and compared with SSIM on luminance (Wang et al. 2004: Gaussian window
σ = 1.5). Encode time is Pillow's ``save`` alone on this machine's CPU (a phone's is 2–4× slower).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, features

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import machine_line  # noqa: E402

MATE = Path("/usr/share/backgrounds/mate/nature")
SKIMAGE_PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "motorcycle_left.png", "rocket.jpg")
REFERENCE_SIDE = 1280
SIDES = (1280, 1024, 960)


@dataclass(frozen=True)
class Candidate:
    fmt: str
    quality: int
    side: int
    options: tuple = ()

    @property
    def label(self) -> str:
        return f"{self.fmt} q{self.quality} {self.side} px"

    def save(self, image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, format=self.fmt, quality=self.quality, **dict(self.options))
        return out.getvalue()


JPEG = (("optimize", True), ("progressive", True), ("subsampling", "4:2:0"))
WEBP = (("method", 4),)
AVIF = (("speed", 8), ("subsampling", "4:2:0"))


def candidates() -> list[Candidate]:
    found = [Candidate("JPEG", q, side, JPEG) for side in SIDES for q in (80, 70, 60)]
    found += [Candidate("WEBP", q, side, WEBP) for side in SIDES for q in (80, 70, 60, 50)]
    if features.check("avif"):
        found += [Candidate("AVIF", q, side, AVIF) for side in SIDES for q in (60, 50, 40)]
    return found


@dataclass(frozen=True)
class Photo:
    name: str
    group: str            # "scene" (a camera-sized photograph) or "detail" (a face, a cat, a street)
    reference: Image.Image


def photographs(extra: list[Path]) -> list[Photo]:
    photos = []
    for folder in [MATE, *extra]:
        for path in sorted(folder.glob("*")) if folder.is_dir() else ():
            if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"):
                photos.append(Photo(path.name, "scene", _reference(Image.open(path))))
    try:
        import skimage
    except ImportError:
        raise SystemExit("needs numpy and scikit-image (bench only): pip install scikit-image") from None
    data = Path(skimage.__file__).parent / "data"
    photos += [Photo(name, "detail", _reference(Image.open(data / name))) for name in SKIMAGE_PHOTOS]
    if not any(photo.group == "scene" for photo in photos):
        print("no scene photographs: apt-get install mate-backgrounds, or --dir", file=sys.stderr)
    return photos


def _reference(image: Image.Image) -> Image.Image:
    rgb = image.convert("RGB")
    rgb.thumbnail((REFERENCE_SIDE, REFERENCE_SIDE), Image.Resampling.LANCZOS)
    return rgb


def ssim(reference: Image.Image, decoded: Image.Image) -> float:
    import numpy as np
    from skimage.metrics import structural_similarity

    if decoded.size != reference.size:
        decoded = decoded.resize(reference.size, Image.Resampling.LANCZOS)
    first = np.asarray(reference.convert("L"), dtype=np.float64)
    second = np.asarray(decoded.convert("L"), dtype=np.float64)
    return float(structural_similarity(first, second, data_range=255, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False))


@dataclass
class Measured:
    candidate: Candidate
    scene_bytes: list[int]
    scene_ssim: list[float]
    detail_ssim: list[float]
    detail_bytes: list[int]
    seconds: list[float]


def measure(candidate: Candidate, photos: list[Photo]) -> Measured:
    result = Measured(candidate, [], [], [], [], [])
    for photo in photos:
        scaled = photo.reference.copy()
        scaled.thumbnail((candidate.side, candidate.side), Image.Resampling.LANCZOS)
        started = time.process_time()
        data = candidate.save(scaled)
        result.seconds.append(time.process_time() - started)
        score = ssim(photo.reference, Image.open(io.BytesIO(data)).convert("RGB"))
        sizes, scores = ((result.scene_bytes, result.scene_ssim) if photo.group == "scene"
                         else (result.detail_bytes, result.detail_ssim))
        sizes.append(len(data))
        scores.append(score)
    return result


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def print_table(rows: list[Measured], photos: list[Photo]) -> None:
    scenes = sum(photo.group == "scene" for photo in photos)
    details = len(photos) - scenes
    print(f"\n{scenes} scene photographs (1280 px reference), {details} detail photographs (face, cat, street; "
          f"own size ≤ 741 px); SSIM on luminance against the reference\n")
    print("| encoding | scene kB (mean / max) | scene SSIM (mean / min) | detail kB | detail SSIM (mean / min) "
          "| encode ms (median) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.candidate.label} | {_mean(row.scene_bytes) / 1000:.0f} / {max(row.scene_bytes, default=0) / 1000:.0f} "
              f"| {_mean(row.scene_ssim):.3f} / {min(row.scene_ssim, default=float('nan')):.3f} "
              f"| {_mean(row.detail_bytes) / 1000:.0f} "
              f"| {_mean(row.detail_ssim):.3f} / {min(row.detail_ssim, default=float('nan')):.3f} "
              f"| {statistics.median(row.seconds) * 1000:.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, action="append", default=[], help="a folder of your own photographs")
    parser.add_argument("--only", help="only the candidates whose label contains this text (e.g. WEBP)")
    args = parser.parse_args()
    print(machine_line())
    import PIL

    print(f"Pillow {PIL.__version__}; WebP {features.version('webp')}, AVIF {features.version('avif')}, "
          f"libjpeg-turbo {features.version('libjpeg_turbo')}")
    photos = photographs(args.dir)
    chosen = [c for c in candidates() if not args.only or args.only.lower() in c.label.lower()]
    print_table([measure(candidate, photos) for candidate in chosen], photos)
    return 0


if __name__ == "__main__":
    sys.exit(main())
