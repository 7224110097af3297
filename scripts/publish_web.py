"""Publish the officer app as a static, installable web app whose Python runs in the browser (Pyodide).

    python scripts/publish_web.py [--out build/web-offline] [--base app]      (make web-offline)

No network: the Flutter client and the Pyodide runtime come from the installed ``flet-web`` (the
same runtime ``flet publish --no-cdn`` would download), and the app's pure-Python dependencies are
copied from this virtualenv (their versions are requirements.lock's) into ``__pypackages__`` inside
``app.tar.gz``, which the Flet worker puts on ``sys.path`` before anything else. The archive has no
requirements.txt and no pyproject.toml, so micropip never asks PyPI for anything.

What ``flet publish`` does not do and this does (see docs/web-offline.md):
- the Pyodide URL is absolute (a bare ``pyodide/pyodide.mjs`` is rejected by the module worker);
- ``flutter_service_worker.js`` (the name Flutter's loader registers) is replaced by a worker that
  caches everything the app needs, so it starts with no network after one online load;
- only what the officer app uses is shipped (no skwasm/wasm builds, no debug symbols, no Node
  leftovers of Pyodide, no KaTeX/media_kit assets, no server code);
- Peta Rawan's name, colours and icons in the manifest.

The result is served by the sync server under ``/<base>/`` (``sync_server/app.py``), so the app and
the API share an origin.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import io
import json
import re
import shutil
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APP_NAME, SHORT_NAME = "Peta Rawan", "Peta Rawan"
DESCRIPTION = "Laporan kerawanan Pilkada oleh Bhabinkamtibmas, juga tanpa sinyal."
NAVY, WHITE = "#0B3D91", "#FFFFFF"

# Distributions the officer app imports in the browser (pure Python; versions from this venv).
# Not shipped: requests (the browser's fetch replaces it), pillow (no Pyodide wheel: the browser
# shrinks photos), flet-secure-storage (tokens stay in the browser's store), httpx/oauthlib (flet
# does not need them under Emscripten).
BROWSER_DISTRIBUTIONS = ("flet", "flet-geolocator", "flet-map", "flet-charts", "msgpack", "repath", "six",
                         "sqlite-utils", "click", "click-default-group", "pluggy", "python-dateutil",
                         "sqlite-fts4", "tabulate", "geographiclib")
APP_PACKAGES = ("field_app", "kerawanan")
# Parts of the flet-web client the officer app never loads with the CanvasKit renderer.
CLIENT_SKIP_DIRS = ("canvaskit/experimental_webparagraph", "assets/packages/flutter_math_fork",
                    "assets/packages/media_kit", "assets/packages/wakelock_plus")
CLIENT_SKIP_FILES = ("main.dart.wasm", "main.dart.mjs", "flutter.js.map", "canvaskit/skwasm.js",
                     "canvaskit/skwasm.wasm", "canvaskit/skwasm_heavy.js", "canvaskit/skwasm_heavy.wasm",
                     "canvaskit/wimp.js", "canvaskit/wimp.wasm", "pyodide/python", "pyodide/python.bat",
                     "pyodide/python.exe", "pyodide/python_cli_entry.mjs", "pyodide/package.json",
                     "pyodide/ffi.d.ts", "pyodide/pyodide.d.ts", "pyodide/pyodide.js",
                     "pyodide/micropip-0.11.1-py3-none-any.whl", "pyodide/packaging-26.1-py3-none-any.whl")
SKIP_SUFFIXES = (".symbols", ".map", ".pyc", ".so")
# Cached only once the browser asks for them: each browser loads one of the two CanvasKit builds,
# and the licence texts are read only from the licence page.
LAZY = ("canvaskit/canvaskit.js", "canvaskit/canvaskit.wasm", "canvaskit/chromium/canvaskit.js",
        "canvaskit/chromium/canvaskit.wasm", "assets/NOTICES")
SERVICE_WORKER = ROOT / "field_app" / "web" / "service_worker.js"


def publish(out: Path, base: str = "app") -> Path:
    """Write the app to ``out/<base>``; returns that folder."""
    import flet_web

    started = time.monotonic()
    dist = out / base
    if dist.exists():
        shutil.rmtree(dist)
    copy_client(Path(flet_web.get_package_web_dir()), dist)
    shutil.copytree(ROOT / "assets" / "fonts", dist / "fonts", ignore=shutil.ignore_patterns("*.txt"))
    (dist / "app.tar.gz").write_bytes(app_archive())
    flet_web.patch_index_html(index_path=str(dist / "index.html"), base_href=base, app_name=APP_NAME,
                              app_description=DESCRIPTION, pyodide=True, pyodide_script_path="main.py",
                              pyodide_version="314.0.7", app_package_url="app.tar.gz",
                              web_renderer=_renderer("canvaskit"), no_cdn=True)
    patch_index(dist / "index.html", base)
    write_manifest(dist / "manifest.json")
    write_icons(dist)
    flet_web.patch_font_manifest_json(str(dist / "assets" / "FontManifest.json"))
    drop_missing_fonts(dist)
    write_service_worker(dist, base)
    files, size = _count(dist)
    print(f"published {files} files, {size / 1e6:.1f} MB, to {dist} in {time.monotonic() - started:.1f} s")
    return dist


def copy_client(web: Path, dist: Path) -> None:
    for source in sorted(web.rglob("*")):
        rel = source.relative_to(web).as_posix()
        if source.is_dir() or _skipped(rel):
            continue
        target = dist / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _skipped(rel: str) -> bool:
    return (rel in CLIENT_SKIP_FILES or rel.endswith(SKIP_SUFFIXES)
            or any(rel.startswith(folder + "/") for folder in CLIENT_SKIP_DIRS))


def app_archive() -> bytes:
    """main.py, the app and the core, the assets the core reads, and ``__pypackages__``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT, compresslevel=9) as tar:
        tar.add(ROOT / "main.py", arcname="main.py")
        for package in APP_PACKAGES:
            for path in sorted((ROOT / package).rglob("*.py")):
                tar.add(path, arcname=path.relative_to(ROOT).as_posix())
        for path in sorted((ROOT / "assets").rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if path.is_file() and "/fonts/" not in rel and not rel.endswith("_qa.csv"):
                tar.add(path, arcname=rel)
        for name in BROWSER_DISTRIBUTIONS:
            for path, arcname in distribution_files(name):
                tar.add(path, arcname=f"__pypackages__/{arcname}")
    return buffer.getvalue()


def distribution_files(name: str) -> list[tuple[Path, str]]:
    """The importable files of an installed distribution (no compiled extensions, no caches)."""
    dist = importlib.metadata.distribution(name)
    found = []
    for entry in dist.files or ():
        rel = entry.as_posix()
        if rel.startswith(("..", "/")) or "__pycache__" in rel or rel.endswith(SKIP_SUFFIXES) \
                or ".dist-info/" in rel or rel.startswith("bin/"):
            continue
        found.append((Path(entry.locate()), rel))
    if not found:
        raise SystemExit(f"{name}: not installed in this environment (make setup)")
    return found


def patch_index(index: Path, base: str) -> None:
    """An absolute Pyodide URL; the theme colour; a word for browsers without JavaScript."""
    text = index.read_text(encoding="utf-8")
    text = text.replace('flet.pyodideUrl="pyodide/pyodide.mjs";', f'flet.pyodideUrl="/{base}/pyodide/pyodide.mjs";')
    if f'"/{base}/pyodide/pyodide.mjs"' not in text:
        raise SystemExit("index.html: the Pyodide URL was not where flet-web puts it")
    text = text.replace('<link rel="manifest" href="manifest.json">',
                        f'<link rel="manifest" href="manifest.json">\n  <meta name="theme-color" content="{NAVY}">')
    text = text.replace('content="black">', 'content="default">')
    # Ask the browser to keep the outbox under storage pressure (granted to installed apps).
    text = text.replace('<script src="python.js"></script>', '<script src="python.js"></script>\n  <script>\n'
                        '    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();\n'
                        '  </script>')
    index.write_text(text, encoding="utf-8")


def drop_missing_fonts(dist: Path) -> None:
    """Flutter loads every family in FontManifest.json at start: name only the fonts shipped."""
    path = dist / "assets" / "FontManifest.json"
    families = json.loads(path.read_text(encoding="utf-8"))
    kept = [family for family in families
            if all((dist / "assets" / font["asset"]).is_file() for font in family["fonts"])]
    path.write_text(json.dumps(kept), encoding="utf-8")


def write_manifest(path: Path) -> None:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update({"name": APP_NAME, "short_name": SHORT_NAME, "description": DESCRIPTION, "lang": "id",
                     "start_url": ".", "scope": ".", "id": ".", "display": "standalone",
                     "orientation": "portrait", "background_color": WHITE, "theme_color": NAVY})
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def write_icons(dist: Path) -> None:
    """A navy square with a white map pin: any-purpose, maskable (safe zone) and Apple touch icons."""
    for name, size, padding in (("icon-192.png", 192, 0.18), ("icon-512.png", 512, 0.18),
                                ("icon-maskable-192.png", 192, 0.28), ("icon-maskable-512.png", 512, 0.28),
                                ("apple-touch-icon-192.png", 192, 0.2)):
        (dist / "icons" / name).write_bytes(_icon_png(size, padding))
    (dist / "favicon.png").write_bytes(_icon_png(32, 0.1))
    (dist / "icons" / "loading-animation.png").write_bytes(_icon_png(200, 0.2))


def _icon_png(size: int, padding: float) -> bytes:
    from PIL import Image, ImageDraw

    scale = 4                                   # draw large, shrink: smooth edges
    big = size * scale
    image = Image.new("RGB", (big, big), NAVY)
    draw = ImageDraw.Draw(image)
    inner = big * (1 - 2 * padding)
    cx, top = big / 2, big * padding
    radius = inner * 0.32
    cy = top + radius
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=WHITE)
    draw.polygon([(cx - radius * 0.87, cy + radius * 0.5), (cx + radius * 0.87, cy + radius * 0.5),
                  (cx, top + inner * 0.92)], fill=WHITE)
    hole = radius * 0.42
    draw.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=NAVY)
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_service_worker(dist: Path, base: str) -> None:
    """The worker with the list of files to cache and a version that changes with their content.

    Flutter's loader registers the worker only when a registration already exists, unless it is
    given ``serviceWorkerUrl``: flutter_bootstrap.js gets it, with this build's version, so the
    first visit installs the worker and a new build replaces it.
    """
    files = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for rel in files:
        if rel not in ("flutter_service_worker.js", "flutter_bootstrap.js"):
            digest.update(rel.encode())
            digest.update(hashlib.sha256((dist / rel).read_bytes()).digest())
    version = digest.hexdigest()[:16]
    bootstrap = dist / "flutter_bootstrap.js"
    text = bootstrap.read_text(encoding="utf-8")
    text, count = re.subn(r'serviceWorkerVersion: "\d+"',
                          f'serviceWorkerVersion: "{version}", serviceWorkerUrl: "/{base}/flutter_service_worker.js?v={version}"',
                          text)
    if count != 1:
        raise SystemExit("flutter_bootstrap.js: serviceWorkerVersion was not where flet-web puts it")
    bootstrap.write_text(text, encoding="utf-8")
    files = [f for f in files if f != "flutter_service_worker.js"]
    precache = [rel for rel in files if rel not in LAZY]
    script = SERVICE_WORKER.read_text(encoding="utf-8")
    script = (script.replace("__VERSION__", version)
              .replace("__PRECACHE__", json.dumps(precache, indent=0))
              .replace("__LAZY__", json.dumps(list(LAZY))))
    (dist / "flutter_service_worker.js").write_text(script, encoding="utf-8")
    (dist / "offline-files.json").write_text(json.dumps({"version": version,
                                                         "precache": precache, "lazy": list(LAZY)}),
                                             encoding="utf-8")


def _renderer(name: str):
    from flet.controls.types import WebRenderer

    return WebRenderer(name)


def _count(dist: Path) -> tuple[int, int]:
    files = [p for p in dist.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "web-offline")
    parser.add_argument("--base", default="app", help="URL path the server serves it under (default: app)")
    args = parser.parse_args(argv)
    publish(args.out.resolve(), args.base.strip("/"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
