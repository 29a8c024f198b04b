"""bench/resume.py: resumed TLS handshakes per second, the way `openssl s_time -reuse` measures them.

For SECONDS it connects, offers the session of the first connection (a TLS 1.3 ticket, or a TLS 1.2
session id), sends GET / HTTP/1.0, reads the response to its end, and closes. It prints the
connections per second and how many of them the server actually resumed. A server must end each
connection with close_notify for clients to keep the session: serve.java does, and s_time -reuse
resumes there too (tests/ResumptionTest.java); this script also says how many resumed.

usage: python3 bench/resume.py PORT SECONDS CA CERT KEY
"""
import socket
import ssl
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False  # s_time does not check the name either; the chain is still verified
ctx.load_verify_locations(sys.argv[3])
ctx.load_cert_chain(sys.argv[4], sys.argv[5])
ctx.options |= getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)


def fetch(session):
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with ctx.wrap_socket(raw, session=session) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            try:
                while s.recv(16384):
                    pass
            except (ssl.SSLError, ConnectionResetError):
                pass
            return s.session, s.session_reused


session, _ = fetch(None)  # the first connection: a full handshake, as in s_time -reuse
n = reused = 0
start = time.monotonic()
end = start + seconds
while time.monotonic() < end:
    _, r = fetch(session)
    n += 1
    reused += r
elapsed = time.monotonic() - start
print("%d connections in %.2f s: %.0f/s, %d resumed" % (n, elapsed, n / elapsed, reused))
