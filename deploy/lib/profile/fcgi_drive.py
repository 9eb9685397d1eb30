"""Drives one FastCGI worker directly (no nginx) with N requests of one shape, for profiling.

Usage: fcgi_drive.py SOCKET COUNT METHOD PATH [TOKEN]
       fcgi_drive.py SOCKET body METHOD PATH [TOKEN]   one request, its body on stdout
Speaks just enough FastCGI (BEGIN_REQUEST, PARAMS, empty STDIN; reads STDOUT until END_REQUEST)
to send the params nginx/plugin-api-server.conf sends (absent headers stay absent), one connection
per request as nginx does.
Exits non-zero if any answer is not 2xx.
"""
import socket
import struct
import sys


def record(kind, request_id, content):
    return struct.pack(">BBHHBx", 1, kind, request_id, len(content), 0) + content


def name_value(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return length(len(name)) + length(len(value)) + name + value


def one_request(path_to_socket, params):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path_to_socket)
    body = b"".join(name_value(k, v) for k, v in params.items())
    conn.sendall(record(1, 1, struct.pack(">HB5x", 1, 0)) + record(4, 1, body) + record(4, 1, b"")
                 + record(5, 1, b""))
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    conn.close()
    out, offset = b"", 0
    while offset + 8 <= len(data):
        _, kind, _, length, padding = struct.unpack(">BBHHB", data[offset:offset + 7])
        if kind == 6:
            out += data[offset + 8:offset + 8 + length]
        offset += 8 + length + padding
    head = out.split(b"\r\n", 1)[0].decode(errors="replace")
    return int(head.split()[1]) if head.startswith("Status:") else 200, out


def main():
    path_to_socket, count, method, path = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    token = sys.argv[5] if len(sys.argv) > 5 else None
    params = {"REQUEST_METHOD": method, "REQUEST_URI": path, "QUERY_STRING": path.partition("?")[2],
              "REQUEST_ID": "0123456789abcdef0123456789abcdef"}
    if token:
        params["HTTP_AUTHORIZATION"] = "Bearer " + token
    if count == "body":
        _, out = one_request(path_to_socket, params)
        sys.stdout.write(out.partition(b"\r\n\r\n")[2].decode())
        return
    count = int(count)
    for i in range(count):
        status, out = one_request(path_to_socket, params)
        if not 200 <= status < 300:
            sys.exit(f"fcgi_drive: request {i} answered {status}: {out[:300]!r}")


main()
