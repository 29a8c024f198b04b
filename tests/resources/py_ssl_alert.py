"""One TLS handshake with Python's ssl module, the way the tutorial's Python client makes it.

Connects to 127.0.0.1:PORT with SNI and hostname checks on HOST, trusting CA, sending CERT/KEY if
given, sends one GET and prints "OK <first line of the answer>", or the error as Python reports it
("SSLError ... CERTIFICATE_REQUIRED"). Exit code 0 on an answer, 3 on an SSL error, 4 otherwise.
"""
import socket
import ssl
import sys

host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cert = sys.argv[4] if len(sys.argv) > 4 else None
key = sys.argv[5] if len(sys.argv) > 5 else None
ctx = ssl.create_default_context(cafile=ca)
if cert:
    ctx.load_cert_chain(cert, key)
try:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n")
            data = tls.recv(4096)
            print("OK", data.split(b"\r\n")[0].decode())
    sys.exit(0)
except ssl.SSLError as e:
    print(repr(e))
    sys.exit(3)
except Exception as e:
    print(repr(e))
    sys.exit(4)
