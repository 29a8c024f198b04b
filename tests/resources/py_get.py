"""GET an HTTPS URL with Python's `requests` (or urllib + ssl when requests is missing).

Used by ServeTest as an outside client of serve.java. --resolve HOST:PORT:ADDR works as curl's:
the connection goes to ADDR while SNI and hostname verification still use HOST.
Prints the status line "STATUS <code>" and the body. Exit codes: 0 an HTTP answer, 3 a TLS error,
4 a connection error (reset, closed), 5 anything else.
"""
import argparse
import socket
import ssl
import sys

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("--cacert", required=True)
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--resolve", action="append", default=[])
args = parser.parse_args()

mapping = {}
for spec in args.resolve:
    host, port, addr = spec.rsplit(":", 2)
    mapping[(host, int(port))] = addr

_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, port, *rest, **kw):
    # Only the address lookup changes; the TLS layer still sees the host name.
    return _getaddrinfo(mapping.get((host, int(port) if port else port), host), port, *rest, **kw)


socket.getaddrinfo = getaddrinfo

try:
    import requests
except ImportError:
    requests = None

try:
    if requests is not None:
        print("client: requests", requests.__version__, file=sys.stderr)
        cert = (args.cert, args.key) if args.cert else None
        r = requests.get(args.url, verify=args.cacert, cert=cert, timeout=20)
        print("STATUS", r.status_code)
        print(r.text)
    else:
        import urllib.request
        print("client: urllib", file=sys.stderr)
        ctx = ssl.create_default_context(cafile=args.cacert)
        if args.cert:
            ctx.load_cert_chain(args.cert, args.key)
        with urllib.request.urlopen(args.url, context=ctx, timeout=20) as r:
            print("STATUS", r.status)
            print(r.read().decode())
    sys.exit(0)
except Exception as e:  # classify by what the layers report
    text = repr(e)
    print("error:", text, file=sys.stderr)
    if "SSL" in text or "ssl" in text or "certificate" in text:
        sys.exit(3)
    if "Connection" in text or "reset" in text or "closed" in text or "EOF" in text:
        sys.exit(4)
    sys.exit(5)
