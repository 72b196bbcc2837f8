#!/usr/bin/env python3
"""An HTTP proxy on 127.0.0.1 that loses the answer to the first POST, for the retry suite.

    drop_proxy.py UPSTREAM_PORT MODE PORTFILE LOGFILE

Every request is forwarded to sixpnd on 127.0.0.1:UPSTREAM_PORT. The first POST is forwarded
too — the server does the work — but its answer never reaches the client:
  close    the connection is closed without a byte of the answer
  reset    the connection is reset (RST)
  partial  the status line, headers and half the body are sent, then the connection closes
Every request is logged to LOGFILE as "METHOD PATH IDEMPOTENCY-KEY UPSTREAM-STATUS".
"""
import http.client
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
posts_seen = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = 0
    mode = "close"
    log_path = ""

    def log_message(self, *args):
        pass

    def forward(self):
        global posts_seen
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn = http.client.HTTPConnection("127.0.0.1", Handler.upstream, timeout=30)
        conn.request(self.command, self.path, body=body, headers=headers)
        reply = conn.getresponse()
        data = reply.read()
        conn.close()
        with lock:
            drop = False
            if self.command == "POST":
                posts_seen += 1
                drop = posts_seen == 1
            with open(Handler.log_path, "a") as log:
                log.write("%s %s %s %d%s\n" % (self.command, self.path,
                                               self.headers.get("Idempotency-Key", "-"),
                                               reply.status, " dropped" if drop else ""))
        if drop:
            return self.lose(reply, data)
        self.send_response(reply.status)
        for k, v in reply.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def lose(self, reply, data):
        self.close_connection = True
        if Handler.mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        elif Handler.mode == "partial":
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()

    do_GET = do_POST = do_DELETE = forward


def main():
    Handler.upstream = int(sys.argv[1])
    Handler.mode = sys.argv[2]
    Handler.log_path = sys.argv[4]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[3] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[3] + ".tmp", sys.argv[3])
    server.serve_forever()


if __name__ == "__main__":
    main()
