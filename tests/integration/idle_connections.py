#!/usr/bin/env python3
"""Holds idle TCP connections open against an HTTP server, as parked long-poll clients would.

    idle_connections.py HOST PORT [--requests N] [--silent M] [--stalled K] [--path PATH]
                        [--no-reopen]

Three kinds of connection:
  request  sends one complete keep-alive GET of PATH, reads the answer and then sits;
  silent   connects and sends nothing;
  stalled  sends the request line and a header of a GET but never the blank line that ends
           the headers, and one more header line every 2 s so the server's read never times
           out: the server's thread waits in a read, as one parked in a long-poll handler
           waits, rather than polling for the next request.
Silent ones are opened first, then stalled ones. A connection the server closes is opened
again (and what it sends sent again) unless --no-reopen, so all of them stay open however
short the server's timeouts.

Events go to stdout, one a line, flushed at once, for a test to wait on or count:
  ready N               all N connections are open (and every GET is sent)
  answered request I    connection I read an HTTP status line
  closed KIND I         the server closed connection I of KIND
Runs until SIGTERM or SIGINT, then closes everything and exits 0.
"""
import argparse
import resource
import time
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
        head = "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: keep-alive\r\n" % (path, host, port)
        self.sent = {"request": (head + "\r\n").encode(), "stalled": head.encode(), "silent": b""}
        self.reopen = reopen
        self.selector = selectors.DefaultSelector()
        self.seen_answer = {}
        self.stalled = {}

    def say(self, line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def open(self, kind, index):
        sock = socket.create_connection(self.address, timeout=30)
        if self.sent[kind]:
            sock.sendall(self.sent[kind])
        sock.setblocking(False)
        self.seen_answer[(kind, index)] = False
        if kind == "stalled":
            self.stalled[index] = sock
        self.selector.register(sock, selectors.EVENT_READ, (kind, index))

    def on_readable(self, key):
        kind, index = key.data
        try:
            data = key.fileobj.recv(65536)
        except BlockingIOError:
            return
        except ConnectionResetError:
            data = b""
        if data:
            if kind == "request" and not self.seen_answer[(kind, index)] and data.startswith(b"HTTP/1."):
                self.seen_answer[(kind, index)] = True
                self.say("answered request %d" % index)
            return
        self.selector.unregister(key.fileobj)
        key.fileobj.close()
        if kind == "stalled":
            del self.stalled[index]
        self.say("closed %s %d" % (kind, index))
        if self.reopen:
            self.open(kind, index)

    def run(self, counts):
        for kind in ("silent", "stalled", "request"):
            for i in range(counts[kind]):
                self.open(kind, i)
        self.say("ready %d" % sum(counts.values()))
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        next_trickle = time.monotonic() + 2
        while not stopping:
            for key, _ in self.selector.select(timeout=0.5):
                self.on_readable(key)
            if time.monotonic() >= next_trickle:
                next_trickle += 2
                for sock in list(self.stalled.values()):
                    try:
                        sock.send(b"X-Idle: 1\r\n")
                    except OSError:
                        pass  # closed: the selector reports it
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--silent", type=int, default=0)
    parser.add_argument("--stalled", type=int, default=0)
    parser.add_argument("--path", default="/v1/platform/regions")
    parser.add_argument("--no-reopen", action="store_true")
    args = parser.parse_args()
    raise_open_file_limit()
    try:
        counts = {"request": args.requests, "silent": args.silent, "stalled": args.stalled}
        Holder(args.host, args.port, args.path, not args.no_reopen).run(counts)
    except OSError as e:
        sys.stderr.write("idle_connections.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
