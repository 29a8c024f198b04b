"""An HTTPS server that requires a client certificate, set up the way a Python service would be.

Used by InteropPythonTest as a server we did not write, for client.java to call. It trusts only
--cacert for client certificates (CERT_REQUIRED) and checks them with VERIFY_X509_STRICT, a default
of Python 3.13's ssl.create_default_context(). GET / answers 200 with the TLS version and the
client's CN. A refused handshake is logged to stderr as "refused 127.0.0.1: <reason>".
--tls 1.2 or 1.3 pins the version. Listens on 127.0.0.1:--port until stopped (SIGTERM).
"""
import argparse
import http.server
import ssl
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--cacert", required=True)
parser.add_argument("--tls", choices=["1.2", "1.3"])
args = parser.parse_args()

# Purpose.CLIENT_AUTH: a server-side context whose cafile checks client certificates.
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=args.cacert)
ctx.load_cert_chain(args.cert, args.key)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
if args.tls:
    version = ssl.TLSVersion.TLSv1_2 if args.tls == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = version


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        subject = dict(rdn[0] for rdn in self.connection.getpeercert()["subject"])
        body = f"Hello from python: protocol={self.connection.version()} client=CN={subject.get('commonName')}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *a):
        print(fmt % a, file=sys.stderr, flush=True)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        # The handshake runs here, in the connection's own thread, so a stalled client holds up only itself.
        request.settimeout(20)
        try:
            conn = ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            print(f"refused {client_address[0]}: {e}", file=sys.stderr, flush=True)
            return
        with conn:
            self.RequestHandlerClass(conn, client_address, self)


with Server(("127.0.0.1", args.port), Handler) as server:
    print(f"listening on 127.0.0.1:{args.port} ({sys.version.split()[0]}, {ssl.OPENSSL_VERSION})", file=sys.stderr, flush=True)
    server.serve_forever()
