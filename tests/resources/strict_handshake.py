#!/usr/bin/env python3
"""One mTLS handshake on 127.0.0.1 between Python's ssl server and client, both strict.

Python 3.13's ssl.create_default_context() turns on VERIFY_X509_STRICT (CPython gh-107361);
on older Pythons we set it ourselves, so this check behaves like 3.13 everywhere. The server
requires a client certificate (CERT_REQUIRED), the client checks the server's host name.

Prints what each side saw and "handshake ok", exit 0; on failure prints the side and the error,
exit 1. --lenient drops VERIFY_X509_STRICT, to show that a rejection came from the strict flag.
"""
import argparse
import socket
import ssl
import sys
import threading

TIMEOUT = 10  # seconds: every socket operation is bounded


def context(purpose, ca, cert, key, strict):
    ctx = ssl.create_default_context(purpose, cafile=ca)
    if strict:
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    else:
        ctx.verify_flags &= ~ssl.VERIFY_X509_STRICT
    ctx.load_cert_chain(cert, key)
    if purpose == ssl.Purpose.CLIENT_AUTH:
        ctx.verify_mode = ssl.CERT_REQUIRED  # mTLS: no client certificate, no connection
    return ctx


def subject(cert):
    return ", ".join("%s=%s" % kv for rdn in cert["subject"] for kv in rdn)


def serve(listener, ctx, result):
    try:
        conn, _ = listener.accept()
        conn.settimeout(TIMEOUT)
        with ctx.wrap_socket(conn, server_side=True) as tls:
            result["client"] = subject(tls.getpeercert())
            tls.sendall(b"hello from the server\n")
    except Exception as e:  # reported by the main thread
        result["error"] = "%s: %s" % (type(e).__name__, e)


def main():
    p = argparse.ArgumentParser()
    for flag in ("--ca", "--server-cert", "--server-key", "--client-cert", "--client-key", "--hostname"):
        p.add_argument(flag, required=True)
    p.add_argument("--lenient", action="store_true")
    a = p.parse_args()
    strict = not a.lenient

    server_ctx = context(ssl.Purpose.CLIENT_AUTH, a.ca, a.server_cert, a.server_key, strict)
    client_ctx = context(ssl.Purpose.SERVER_AUTH, a.ca, a.client_cert, a.client_key, strict)
    print("strict:", bool(client_ctx.verify_flags & ssl.VERIFY_X509_STRICT)
          and bool(server_ctx.verify_flags & ssl.VERIFY_X509_STRICT))

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)
    server_result = {}
    server = threading.Thread(target=serve, args=(listener, server_ctx, server_result), daemon=True)
    server.start()
    try:
        with socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as raw:
            with client_ctx.wrap_socket(raw, server_hostname=a.hostname) as tls:
                print("client saw server:", subject(tls.getpeercert()))
                # Reading the greeting proves the server accepted our certificate too (TLS 1.3
                # finishes the client's side before the server has checked the client).
                print("server said:", tls.recv(100).decode().strip())
    except Exception as e:
        server.join(TIMEOUT)
        print("client failed: %s: %s" % (type(e).__name__, e))
        if "error" in server_result:
            print("server failed:", server_result["error"])
        return 1
    server.join(TIMEOUT)
    if "error" in server_result:
        print("server failed:", server_result["error"])
        return 1
    print("server saw client:", server_result["client"])
    print("handshake ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
