#!/usr/bin/env python3
"""Polls the pool's health while deploy/checks/ops-check rolls the workers, until a stop file appears:
through nginx over https (below the site's rate limit) and straight over the FastCGI socket
(many times a second, no limit). Prints a JSON report: answers per status, the worker pids that
answered (from the health body), and the first failures.

    poll.py --https URL --https-rate 8 --fcgi SOCKET --fcgi-rate 100 --stop-file F [--max-seconds 90]

Standard library only.
"""
import argparse
import json
import os
import socket
import ssl
import struct
import threading
import time
import urllib.error
import urllib.request

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def record(kind, request_id, content):
    return struct.pack("!BBHHBx", 1, kind, request_id, len(content), 0) + content


def name_value(name, value):
    def length(n):
        return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return length(len(name)) + length(len(value)) + name + value


def fcgi_health(path, timeout=5.0):
    """One GET /api/plugins/health over the socket: (status, body)."""
    params = {
        "REQUEST_METHOD": "GET", "REQUEST_URI": "/api/plugins/health", "QUERY_STRING": "",
        "SCRIPT_NAME": "/api/plugins/health", "DOCUMENT_URI": "/api/plugins/health",
        "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1", "REMOTE_ADDR": "127.0.0.1",
        "SERVER_NAME": "ops-check", "SERVER_PORT": "0", "REQUEST_ID": "ops-check-poll",
    }
    body = b"".join(name_value(k, v) for k, v in params.items())
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(path)
        conn.sendall(record(FCGI_BEGIN_REQUEST, 1, struct.pack("!HB5x", 1, 0))
                     + record(FCGI_PARAMS, 1, body) + record(FCGI_PARAMS, 1, b"")
                     + record(FCGI_STDIN, 1, b""))
        data, out = b"", b""
        while True:
            while len(data) >= 8:
                _, kind, _, clen, plen = struct.unpack("!BBHHB", data[:7])
                if len(data) < 8 + clen + plen:
                    break
                content, data = data[8:8 + clen], data[8 + clen + plen:]
                if kind == FCGI_STDOUT:
                    out += content
                elif kind == FCGI_END_REQUEST:
                    head, _, payload = out.partition(b"\r\n\r\n")
                    status = 200
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"status:"):
                            status = int(line.split()[1])
                    return status, payload
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError("closed before FCGI_END_REQUEST")
            data += chunk


def https_health(url, context, timeout=5.0):
    try:
        with urllib.request.urlopen(url, context=context, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Channel:
    def __init__(self, name, call, rate):
        self.name, self.call, self.interval = name, call, 1.0 / rate
        self.statuses, self.pids, self.failures = {}, set(), []

    def run(self, stop):
        while not stop():
            started = time.monotonic()
            try:
                status, body = self.call()
                try:
                    self.pids.add(json.loads(body)["data"]["worker_pid"])
                except (ValueError, KeyError, TypeError):
                    pass
            except Exception as error:  # a refused or broken connection is a failed poll
                status, body = f"error: {error.__class__.__name__}: {error}", b""
            key = str(status)
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if key != "200" and len(self.failures) < 10:
                self.failures.append({"at": round(time.time(), 3), "status": key, "body": body[:200].decode("utf-8", "replace")})
            time.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def report(self):
        return {"statuses": self.statuses, "worker_pids": sorted(self.pids), "failures": self.failures}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--https", required=True)
    parser.add_argument("--https-rate", type=float, default=8)
    parser.add_argument("--fcgi", required=True)
    parser.add_argument("--fcgi-rate", type=float, default=100)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--max-seconds", type=float, default=90)
    args = parser.parse_args()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + args.max_seconds

    def stop():
        return os.path.exists(args.stop_file) or time.monotonic() > deadline
    channels = [Channel("https", lambda: https_health(args.https, context), args.https_rate),
                Channel("fcgi", lambda: fcgi_health(args.fcgi), args.fcgi_rate)]
    threads = [threading.Thread(target=c.run, args=(stop,)) for c in channels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({c.name: c.report() for c in channels}))


if __name__ == "__main__":
    main()
