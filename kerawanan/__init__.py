"""Peta Rawan domain core: pure Python (standard library + geopy), no I/O beyond reading the
shipped assets (``kerawanan.assets``), no clock reads — the clock is always an argument."""

__version__ = "0.1.0"
