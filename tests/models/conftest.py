"""Fixtures of the model tests: a local chat-completions server (see chat_server.py)."""

import socket

import pytest
from chat_server import ChatServer


@pytest.fixture
def chat_server():
    server = ChatServer()
    yield server
    server.close()


@pytest.fixture
def refused_url():
    """A URL where nothing listens: connecting is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/v1"
