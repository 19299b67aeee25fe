"""A local chat-completions server for the OpenAI-compatible model's tests (no network).

``chat_server`` listens on 127.0.0.1 (a free port) and answers each request with the next
scripted reply: a stream of server-sent events (optionally cut before the end), or an error
status. It records each request's JSON body in ``requests``.
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stream:
    """Answer with these events as SSE; ``cut``: drop the connection after them, mid-body."""

    def __init__(self, events, *, cut=False, done=True, delay=0.0):
        self.events, self.cut, self.done, self.delay = list(events), cut, done, delay


class Status:
    """Answer with an HTTP error status and a JSON body, as OpenAI's API does."""

    def __init__(self, code, message="something broke", *, retry_after_ms=None):
        self.code, self.message, self.retry_after_ms = code, message, retry_after_ms


def chunk(delta=None, *, finish=None, id="chatcmpl-1", model="test-model", usage=None):
    choices = (
        []
        if delta is None and finish is None
        else [{"index": 0, "delta": delta or {}, "finish_reason": finish}]
    )
    out = {"id": id, "object": "chat.completion.chunk", "created": 1, "model": model}
    out["choices"] = choices
    if usage:
        out["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
        }
    return out


def text_reply(*pieces, usage=(5, 3), id="chatcmpl-1"):
    """A streamed text answer: a role chunk, one chunk per piece, the finish, the usage."""
    events = [chunk({"role": "assistant", "content": ""}, id=id)]
    events += [chunk({"content": p}, id=id) for p in pieces]
    events.append(chunk(finish="stop", id=id))
    if usage:
        events.append(chunk(usage=usage, id=id))
    return Stream(events)


def tool_reply(*calls, usage=(7, 4), id="chatcmpl-2", split=3):
    """Tool calls streamed as OpenAI does: id and name first, then the arguments in pieces."""
    events = [chunk({"role": "assistant", "content": None}, id=id)]
    for index, (call_id, name, arguments) in enumerate(calls):
        head = {"index": index, "id": call_id, "type": "function"}
        head["function"] = {"name": name, "arguments": ""}
        events.append(chunk({"tool_calls": [head]}, id=id))
        for start in range(0, len(arguments), split):
            piece = {"index": index, "function": {"arguments": arguments[start : start + split]}}
            events.append(chunk({"tool_calls": [piece]}, id=id))
    events.append(chunk(finish="tool_calls", id=id))
    if usage:
        events.append(chunk(usage=usage, id=id))
    return Stream(events)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up (the timeout test) is expected, not a failure


class ChatServer:
    def __init__(self):
        self.replies = []
        self.requests = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    server.requests.append({"path": self.path, "body": json.loads(body)})
                    reply = (
                        server.replies.pop(0)
                        if server.replies
                        else Status(500, "the test server has no scripted reply left")
                    )
                if isinstance(reply, Status):
                    payload = json.dumps(
                        {"error": {"message": reply.message, "type": "test", "code": None}}
                    ).encode()
                    self.send_response(reply.code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    if reply.retry_after_ms is not None:
                        self.send_header("retry-after-ms", str(reply.retry_after_ms))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                time.sleep(reply.delay)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                lines = [f"data: {json.dumps(e)}\n\n" for e in reply.events]
                if reply.done and not reply.cut:
                    lines.append("data: [DONE]\n\n")
                for line in lines:
                    data = line.encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                if reply.cut:  # no terminating chunk: the body is cut mid-way
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(b"0\r\n\r\n")

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def script(self, *replies):
        with self.lock:
            self.replies.extend(replies)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
