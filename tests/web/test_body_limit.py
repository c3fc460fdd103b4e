"""Request bodies larger than the web app takes are refused while they arrive (413), with a page in the
user's language, and nothing of them is stored."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Send

from alue.shared.auth import Role
from alue.web import uploads
from alue.web.config import WebSettings
from tests.web.conftest import page_csrf


@pytest.fixture
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUE_UPLOAD_DIR", str(tmp_path))
    return tmp_path


def test_the_limit_is_above_the_upload_limit() -> None:
    """The import page's own message covers files a little over 10 MB; the app refuses larger bodies."""
    assert WebSettings().max_body_bytes > uploads.MAX_BYTES + 64 * 1024


def test_a_file_over_the_limit_gets_a_page_in_the_users_language_and_is_not_kept(
    clients: dict[Role, TestClient], upload_dir: Path, web_settings: WebSettings
) -> None:
    client = clients[Role.EMPLOYER_SERVICES]
    token = page_csrf(client, "/vacancies/import")
    too_large = b"x" * (web_settings.max_body_bytes + 1)
    response = client.post(
        "/vacancies/import",
        data={"csrf_token": token},
        files={"file": ("suuri.csv", too_large, "text/csv")},
    )
    assert response.status_code == 413
    assert "Tiedosto on liian suuri" in response.text
    assert "yli 11 Mt" in response.text
    assert list(upload_dir.iterdir()) == []
    client.get("/language/sv")
    try:
        response = client.post(
            "/vacancies/import",
            data={"csrf_token": token},
            files={"file": ("stor.csv", too_large, "text/csv")},
        )
    finally:
        client.get("/language/fi")
    assert response.status_code == 413
    assert "Filen är för stor" in response.text


def test_the_api_answers_413_in_json(clients: dict[Role, TestClient], web_settings: WebSettings) -> None:
    client = clients[Role.EMPLOYER_SERVICES]
    response = client.put(
        "/api/v1/vacancies/1/occupation",
        content=b'{"uri": "' + b"x" * web_settings.max_body_bytes + b'"}',
        headers={"content-type": "application/json", "x-csrf-token": page_csrf(client)},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json")


def test_a_body_declared_too_large_is_refused_before_it_is_read(
    app: FastAPI, web_settings: WebSettings
) -> None:
    """With a ``Content-Length`` over the limit, not one chunk of the body is taken from the client."""
    chunks_taken = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal chunks_taken
        chunks_taken += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    _serve(app, _scope(content_length=web_settings.max_body_bytes * 10), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert chunks_taken == 0
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()
    assert "Tiedosto on liian suuri" in body


def test_a_chunked_body_is_refused_when_its_bytes_pass_the_limit(
    app: FastAPI, web_settings: WebSettings
) -> None:
    """Without a ``Content-Length``, the body is counted as it arrives and refused once it passes."""
    chunk = 256 * 1024
    chunks_taken = 0
    sent: list[Message] = []

    part = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'

    async def receive() -> Message:
        nonlocal chunks_taken
        chunks_taken += 1
        body = b"x" * chunk if chunks_taken > 1 else part + b"x" * (chunk - len(part))
        return {"type": "http.request", "body": body, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    _serve(app, _scope(content_length=None), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert chunks_taken == web_settings.max_body_bytes // chunk + 1


def _scope(*, content_length: int | None) -> dict[str, object]:
    """A POST of a file to the import page, as the server hands it to the app."""
    headers = [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=x")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/vacancies/import",
        "raw_path": b"/vacancies/import",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }


def _serve(app: FastAPI, scope: dict[str, object], receive: Receive, send: Send) -> None:
    """Run one request through the app on an event loop of its own thread (the browser tests' driver may
    hold the main thread's loop)."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
        except BaseException as exc:  # re-raised in the test's thread
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the request did not finish"
    if failures:
        raise failures[0]
