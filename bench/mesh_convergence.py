#!/usr/bin/python3
"""Mesh convergence: from the API's answer to a change until every node of the mesh shows it.

A change is the first machine of an org on a host (`sixpn machine run --detach`), and later its
destruction (`sixpn machine destroy --detach`). Right after the command returns, one thread per
thing to see polls it, each in the network namespace it looks from:
  - every other mesh node (hosts and the gateway): its WireGuard peer for the target host allows
    a prefix holding the machine's address (and no longer does after the destroy), read from the
    interface's UAPI socket as `wg show` reads it;
  - the target host: the machine's /112 and the org's /48 in its routing table;
  - DNS: `<id>.vm.<app>.internal` AAAA asked of fdaa::3 from a resident machine of the org on
    every other host, and from inside the new machine itself (only for the create).
Prints one line per kind of change, "create MS MS …" and "destroy MS MS …" (the time until the
last of its checks held), then "parts-create CHECK MS MS …" and so on (when each check first
held), and "slowest-create CHECK MS CHECK MS …" (the slowest change), for where the time goes.
Debian's python3 (dnspython from python3-dnspython); run as root.
"""
import argparse
import base64
import ctypes
import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

CLONE_NEWNET = 0x40000000
POLL_PAUSE = 0.005  # between two looks at one thing
GIVE_UP = 30.0      # a check that never holds is a broken world, not a slow one
libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(path):
    """Moves the calling thread (only it) into the network namespace at path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def uapi_allowed_ips(interface, peer_hex):
    """The allowed IPs of one peer, from wireguard-go's control socket (what `wg show` reads)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("/var/run/wireguard/%s.sock" % interface)
        s.sendall(b"get=1\n\n")
        data = b""
        while not data.endswith(b"\n\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    allowed, current = [], None
    for line in data.decode().splitlines():
        key, _, value = line.partition("=")
        if key == "public_key":
            current = value
        elif key == "allowed_ip" and current == peer_hex:
            allowed.append(ipaddress.ip_network(value, strict=False))
    return allowed


def routes_here():
    """(network, device) of every IPv6 route of the calling thread's namespace."""
    out = []
    with open("/proc/thread-self/net/ipv6_route") as f:
        for line in f:
            fields = line.split()
            net = ipaddress.IPv6Network((int(fields[0], 16), int(fields[1], 16)))
            out.append((net, fields[9]))
    return out


def dns_aaaa(name):
    """The AAAA addresses fdaa::3 gives for name, asked from the calling thread's namespace;
    None when no answer came. A socket per question, so a late answer to an earlier one is
    never taken for this one's."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            r = dns.query.udp(dns.message.make_query(name, "AAAA"), "fdaa::3", timeout=0.2, sock=sock)
    except (dns.exception.DNSException, OSError):
        return None
    if r.rcode() != dns.rcode.NOERROR:
        return set()
    return {str(rd) for rrset in r.answer if rrset.rdtype == dns.rdatatype.AAAA for rd in rrset}


class Check(threading.Thread):
    """Polls one condition from one namespace until it holds; keeps the time it first did."""

    def __init__(self, name, netns, condition, wait_for_netns=False):
        super().__init__(daemon=True)
        self.name, self.netns, self.condition = name, netns, condition
        self.wait_for_netns = wait_for_netns
        self.at = None
        self.seen = "never looked"  # what the last look found, for a check that never holds

    def run(self):
        deadline = time.time() + GIVE_UP
        while self.netns:
            try:
                enter_netns(self.netns)
                break
            except OSError:
                # `ip netns add` makes the file before it mounts the namespace on it (EINVAL
                # until then); a namespace another thread waits for is not there at all yet.
                if not self.wait_for_netns or time.time() > deadline:
                    raise
            time.sleep(POLL_PAUSE)
        state = {}
        while time.time() < deadline:
            try:
                if self.condition(state):
                    self.at = time.time()
                    return
                self.seen = state.get("seen", "not yet")
            except OSError as e:
                self.seen = str(e)  # a namespace or socket not there yet: look again
            time.sleep(POLL_PAUSE)


def sixpn(args, *words):
    cmd = ["nsenter", "--net=" + args.cli_netns, args.sixpn] + list(words)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL).stdout
    return time.time(), out


def checks_for(args, kind, machine_id, address, target_pubkey_hex):
    addr = ipaddress.IPv6Address(address)
    machine_net = ipaddress.IPv6Network((int(addr) >> 16 << 16, 112))
    org_net = ipaddress.IPv6Network((int(addr) >> 80 << 80, 48))
    name = "%s.vm.%s.internal" % (machine_id, args.app)
    present = kind == "create"
    checks = []
    for node in args.peer_node:  # NAME:INTERFACE
        label, interface = node.split(":", 1)
        checks.append(Check("wg@" + label, None, lambda s, i=interface: present == any(
            addr in n for n in uapi_allowed_ips(i, target_pubkey_hex))))

    def routed(s):
        routes = routes_here()
        has_machine = any(n == machine_net and dev != args.target_interface for n, dev in routes)
        has_org = (org_net, args.target_interface) in routes
        s["seen"] = "route to %s: %s, to %s: %s" % (machine_net, has_machine, org_net, has_org)
        return has_machine == present and has_org == present
    checks.append(Check("routes@target", args.target_netns, routed))
    for vantage in args.vantage:  # NAME:NETNS-PATH of a resident machine of the org
        label, netns = vantage.split(":", 1)
        checks.append(Check("dns@" + label, netns,
                            lambda s: dns_aaaa(name) == ({address} if present else set())))
    if present:
        container = os.path.join(args.target_runc_root, machine_id, "state.json")

        def asked_from_itself(s):
            # As the machine's process asks: once it exists (runc has made its container). A
            # question sent from the namespace before that, while the host still wires it, can
            # wait a second for a retry no machine's process ever sees (its first question is
            # answered 2-20 ms after it starts, measured from inside machines).
            if not os.path.exists(container):
                s["seen"] = "no process yet"
                return False
            return dns_aaaa(name) == {address}
        checks.append(Check("dns@itself", args.machine_netns_prefix + machine_id,
                            asked_from_itself, wait_for_netns=True))
    return checks


def run_checks(checks, t0):
    for c in checks:
        c.start()
    for c in checks:
        c.join()
    missing = ["%s (%s)" % (c.name, c.seen) for c in checks if c.at is None]
    if missing:
        sys.exit("mesh_convergence: still not converged after %.0f s: %s" % (GIVE_UP, "; ".join(missing)))
    return {c.name: (c.at - t0) * 1000 for c in checks}


def public_key_hex(interface, netns):
    b64 = subprocess.run(["nsenter", "--net=" + netns, "wg", "show", interface, "public-key"],
                         check=True, stdout=subprocess.PIPE).stdout.decode().strip()
    return base64.b64decode(b64).hex()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sixpn", required=True, help="the sixpn binary")
    p.add_argument("--cli-netns", required=True, help="the namespace sixpn runs in (reaches the API)")
    p.add_argument("--app", required=True)
    p.add_argument("--region", required=True, help="the target host's region")
    p.add_argument("--target-netns", required=True, help="the target host's namespace")
    p.add_argument("--target-interface", required=True, help="the target host's mesh interface")
    p.add_argument("--machine-netns-prefix", required=True, help="the path prefix of its machines' namespaces")
    p.add_argument("--target-runc-root", required=True, help="the target host's runc state directory")
    p.add_argument("--peer-node", action="append", default=[], help="NAME:INTERFACE of another mesh node")
    p.add_argument("--vantage", action="append", default=[], help="NAME:NETNS of a resident machine of the org")
    p.add_argument("--changes", type=int, default=20)
    args = p.parse_args()

    target_key = public_key_hex(args.target_interface, args.target_netns)
    times = {"create": [], "destroy": []}
    parts = {"create": {}, "destroy": {}}
    for _ in range(args.changes):
        t0, out = sixpn(args, "machine", "run", "-a", args.app, "--region", args.region,
                        "--restart", "no", "--detach", "--json", "--", "sleep", "100000")
        machine = json.loads(out)
        for kind in ("create", "destroy"):
            if kind == "destroy":
                t0, _ = sixpn(args, "machine", "destroy", machine["id"], "-a", args.app,
                              "--yes", "--detach")
            got = run_checks(checks_for(args, kind, machine["id"], machine["private_ip"], target_key), t0)
            times[kind].append(max(got.values()))
            for label, ms in got.items():
                parts[kind].setdefault(label, []).append(ms)
    for kind in ("create", "destroy"):
        print(kind, " ".join("%.1f" % v for v in times[kind]))
    for kind in ("create", "destroy"):
        for label, values in parts[kind].items():
            print("parts-%s %s %s" % (kind, label, " ".join("%.1f" % v for v in values)))
    for kind in ("create", "destroy"):
        worst = times[kind].index(max(times[kind]))
        print("slowest-%s %s" % (kind, " ".join(
            "%s %.1f" % (label, values[worst]) for label, values in parts[kind].items())))


if __name__ == "__main__":
    main()
