"""The server's version (also ``sync_server.__version__``), shown by ``GET /healthz``."""

VERSION = "0.1.0"
