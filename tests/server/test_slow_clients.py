"""Slow clients against a real server: unfinished headers and trickled bodies are cut off.

Every wait here is on the event itself — the server closing the socket, or answering — with a
deadline far above the configured timeouts; nothing sleeps.
"""
from __future__ import annotations

import socket
import time

import pytest

from tests.server.helpers import ServerProcess

HEADER_SECONDS = 1.0
BODY_SECONDS = 2.0
DEADLINE = 30.0                     # far above the timeouts: the server, not this test, decides


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("slow"),
                            env={"PETA_HEADER_SECONDS": str(HEADER_SECONDS), "PETA_BODY_SECONDS": str(BODY_SECONDS),
                                 "PETA_UPLOAD_IDLE_SECONDS": "60"})
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def connect(server: ServerProcess) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
    return conn


def read_until_closed(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (``socket.timeout`` past DEADLINE)."""
    received = b""
    while chunk := conn.recv(65536):
        received += chunk
    return received


def test_a_client_that_sends_half_its_headers_is_disconnected(slow_server):
    conn = connect(slow_server)
    try:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        assert read_until_closed(conn) == b""            # closed without an answer
        assert time.monotonic() - started < DEADLINE
    finally:
        conn.close()


def test_a_client_that_connects_and_says_nothing_is_disconnected(slow_server):
    conn = connect(slow_server)
    try:
        assert read_until_closed(conn) == b""
    finally:
        conn.close()


def test_a_keep_alive_client_trickling_its_second_request_is_disconnected(slow_server):
    conn = connect(slow_server)
    try:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHo")
        received = read_until_closed(conn)
        assert received.startswith(b"HTTP/1.1 200") and received.count(b"HTTP/1.1") == 1
    finally:
        conn.close()


def test_a_trickled_json_body_is_answered_408_and_the_connection_ends(slow_server):
    conn = connect(slow_server)
    try:
        conn.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"username\": ")      # and never the rest
        received = read_until_closed(conn)
        assert received.startswith(b"HTTP/1.1 408"), received[:200]
        assert b'"request.timeout"' in received
    finally:
        conn.close()


def test_a_prompt_client_is_served_as_always(slow_server):
    conn = connect(slow_server)
    try:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert read_until_closed(conn).startswith(b"HTTP/1.1 200")
    finally:
        conn.close()
