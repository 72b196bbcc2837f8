#!/usr/bin/env python3
"""A hostile stand-in for sixpnd on 127.0.0.1, for the bad-input suite.

    fake_api.py MODE PORTFILE

Listens on a free loopback port (written to PORTFILE once listening) and answers every request
according to MODE. GET /v1/platform/regions is answered correctly unless MODE starts with
"regions_", so that `wg create` gets past region validation and meets the hostile answer on
its POST; every other request gets the hostile answer.
"""
import json
import os
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
REGIONS = {
    "items": [
        {"code": "ams", "name": "Amsterdam", "latitude": 52.3, "longitude": 4.9,
         "gateway_available": True, "deprecated": False},
    ],
    "nearest": "ams",
    "next_cursor": None,
}
PEER = {
    "name": "p", "org": "o", "region": "ams", "pubkey": KEY, "peer_ip": "fdaa:0:1:a7b:7::a:2",
    "endpoint_ip": "127.0.0.1", "endpoint_port": 51820, "endpoint": "127.0.0.1:51820",
    "gateway_pubkey": KEY, "dns": "fdaa:0:1::3", "network_prefix": "fdaa:0:1::/48",
    "created_at": "2024-01-01T00:00:00Z",
}


def page(n):
    return json.dumps({"items": [], "next_cursor": "c%d" % n}).encode()


# MODE → (status, body bytes) for complete answers; the special modes are handled below.
SIMPLE = {
    "truncated_json": (200, b'{"items": [{"name": "a", "org'),
    "not_json": (200, b"<html><body>502 Bad Gateway</body></html>"),
    "empty_body": (200, b""),
    "wrong_types": (200, json.dumps({"items": "many", "next_cursor": 5, "name": 7,
                                     "peer_ip": [], "nearest": {}}).encode()),
    "array_not_object": (200, b"[1, 2, 3]"),
    "null_fields": (200, json.dumps({k: None for k in PEER}).encode()),
    "bad_peer_values": (200, json.dumps(dict(PEER, peer_ip="not-an-ip",
                                             gateway_pubkey="AAAA", endpoint_port=70000)).encode()),
    # The all-zero point: well-formed base64, but no handshake with it can ever succeed.
    "low_order_gateway_key": (200, json.dumps(dict(
        PEER, gateway_pubkey="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).encode()),
    "control_bytes": (200, json.dumps(dict(PEER, name="a\nb\x1b[31m", peer_ip="fdaa::\u202e")).encode()),
    "deep_nesting": (200, b"[" * 200000 + b"]" * 200000),
    "huge_10mb": (200, b'{"items": [' + b",".join([b'"' + b"x" * 1000 + b'"'] * 10000) + b'], "next_cursor": null}'),
    "error_401": (401, b'{"error": "token revoked", "code": "unauthorized"}'),
    "error_403": (403, b'{"error": "not yours", "code": "forbidden"}'),
    "error_404": (404, b'{"error": "no such thing", "code": "not_found"}'),
    "error_409": (409, b'{"error": "taken", "code": "conflict"}'),
    "error_422": (422, b'{"error": "bad name", "code": "invalid_name"}'),
    "error_500_html": (500, b"<h1>Internal Server Error</h1>"),
    "error_wrong_types": (404, b'{"error": 5, "code": ["x"]}'),
    "error_multiline": (409, json.dumps({"error": "line one\nline two\r\nError: fake", "code": "x"}).encode()),
    "status_999": (999, b"{}"),
    "repeated_cursor": (200, json.dumps({"items": [], "next_cursor": "same"}).encode()),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "wrong_types"
    pages = 0

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_length=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        mode = Handler.mode
        if self.path.startswith("/v1/platform/regions") and not mode.startswith("regions_"):
            return self.answer(200, json.dumps(REGIONS).encode())
        mode = mode[len("regions_"):] if mode.startswith("regions_") else mode
        if mode in SIMPLE:
            return self.answer(*SIMPLE[mode])
        if mode == "short_body":  # promises more than it sends, then hangs up
            self.answer(200, b'{"items": [', content_length=1000)
            self.close_connection = True
            return
        if mode == "hang_up":  # reads the request, answers nothing
            self.close_connection = True
            return
        if mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            self.close_connection = True
            return
        if mode == "huge_40mb":  # larger than any client should hold
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(40 * 1024 * 1024))
            self.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(40 * 16):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "endless_pages":  # a new cursor every time, never the last page
            Handler.pages += 1
            return self.answer(200, page(Handler.pages))
        if mode == "endless_items":  # one peer and a new cursor every time, forever
            Handler.pages += 1
            item = dict(PEER, name="p%d" % Handler.pages)
            return self.answer(200, json.dumps({"items": [item], "next_cursor": "c%d" % Handler.pages}).encode())
        if mode == "slow_headers":  # slow-loris: one header byte a second
            try:
                for c in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 600:
                    self.wfile.write(bytes([c]))
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "slow_body":  # slow-loris: headers at once, then one body byte a second
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return
        raise SystemExit("fake_api.py: unknown mode " + mode)

    do_GET = do_POST = do_DELETE = do_PUT = handle_any


def main():
    Handler.mode = sys.argv[1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()
