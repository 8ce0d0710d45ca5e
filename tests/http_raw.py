"""Raw HTTP/1.1 over a socket, for what a client library hides or will not send: a half-closed
connection, an upgrade offer, a request split across packets, a request in flight at shutdown."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit


def read_to_end(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def exchange(base: str, *parts: bytes, half_close: bool = False) -> bytes:
    """Send ``parts`` on one connection to the server at ``base`` (a pause between them, so the server
    reads them apart), shut the sending side if ``half_close``, and return what comes back (read_to_end)."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        for number, part in enumerate(parts):
            if number:
                time.sleep(0.2)
            sock.sendall(part)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return read_to_end(sock)
