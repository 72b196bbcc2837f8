#!/usr/bin/env python3
"""Holds idle TCP connections open against an HTTP server, as parked long-poll clients would.

    idle_connections.py HOST PORT [--requests N] [--silent M] [--path PATH] [--no-reopen]

Two kinds of connection:
  request  sends one complete keep-alive GET of PATH, reads the answer and then sits;
  silent   connects and sends nothing.
Silent ones are opened first. A connection the server closes is opened again (and its GET
sent again) unless --no-reopen, so N + M stay open however short the server's idle timeout.

Events go to stdout, one a line, flushed at once, for a test to wait on or count:
  ready N               all N connections are open (and every GET is sent)
  answered request I    connection I read an HTTP status line
  closed KIND I         the server closed connection I of KIND
Runs until SIGTERM or SIGINT, then closes everything and exits 0.
"""
import argparse
import resource
import selectors
import signal
import socket
import sys


def raise_open_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Holder:
    def __init__(self, host, port, path, reopen):
        self.address = (host, port)
        self.request = (
            "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: keep-alive\r\n\r\n" % (path, host, port)
        ).encode()
        self.reopen = reopen
        self.selector = selectors.DefaultSelector()
        self.seen_answer = {}

    def say(self, line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def open(self, kind, index):
        sock = socket.create_connection(self.address, timeout=30)
        if kind == "request":
            sock.sendall(self.request)
        sock.setblocking(False)
        self.seen_answer[(kind, index)] = False
        self.selector.register(sock, selectors.EVENT_READ, (kind, index))

    def on_readable(self, key):
        kind, index = key.data
        try:
            data = key.fileobj.recv(65536)
        except (ConnectionResetError, BlockingIOError):
            data = b""
        if data:
            if kind == "request" and not self.seen_answer[(kind, index)] and data.startswith(b"HTTP/1."):
                self.seen_answer[(kind, index)] = True
                self.say("answered request %d" % index)
            return
        self.selector.unregister(key.fileobj)
        key.fileobj.close()
        self.say("closed %s %d" % (kind, index))
        if self.reopen:
            self.open(kind, index)

    def run(self, requests, silent):
        for i in range(silent):
            self.open("silent", i)
        for i in range(requests):
            self.open("request", i)
        self.say("ready %d" % (requests + silent))
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        while not stopping:
            for key, _ in self.selector.select(timeout=0.5):
                self.on_readable(key)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--silent", type=int, default=0)
    parser.add_argument("--path", default="/v1/platform/regions")
    parser.add_argument("--no-reopen", action="store_true")
    args = parser.parse_args()
    raise_open_file_limit()
    try:
        Holder(args.host, args.port, args.path, not args.no_reopen).run(args.requests, args.silent)
    except OSError as e:
        sys.stderr.write("idle_connections.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
