"""Python's ssl (OpenSSL underneath) as a peer for post-handshake client authentication (RFC 8446 4.6.2).

server: listens on 127.0.0.1 (prints "PORT n"), requires a client certificate only after the handshake
        (post_handshake_auth), asks with verify_client_post_handshake() when the client says "auth", and reports
        the verified certificate's subject.
client: connects with post_handshake_auth on and a certificate to give; answers whatever the server asks and
        echoes the server's lines back with "echo " in front until the server says "bye".
Every event is one line on stdout, flushed at once.
"""
import argparse
import json
import socket
import ssl
import sys


def say(*words):
    print(*words, flush=True)


def subject_cn(cert):
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


def serve(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(args.cert, args.key)
    context.load_verify_locations(args.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    context.post_handshake_auth = True
    with socket.create_server(("127.0.0.1", 0)) as listener:
        say("PORT", listener.getsockname()[1])
        raw, _ = listener.accept()
        with context.wrap_socket(raw, server_side=True) as tls:
            lines = tls.makefile("rb")
            say("HANDSHAKE", tls.version(), "before:", json.dumps(tls.getpeercert()))
            if lines.readline().strip() != b"auth":
                sys.exit("expected auth")
            tls.verify_client_post_handshake()
            # The CertificateRequest goes out with the next write; the answer is read with the next line.
            tls.sendall(b"requested\n")
            answer = lines.readline().strip().decode()
            cn = subject_cn(tls.getpeercert())
            say("PEER", json.dumps({"cn": cn, "line": answer}))
            tls.sendall(f"authenticated {cn}\n".encode())
            if lines.readline().strip() != b"bye":
                sys.exit("expected bye")
            say("DONE")


def connect(args):
    context = ssl.create_default_context(cafile=args.ca)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(args.cert, args.key)
    context.post_handshake_auth = True
    with socket.create_connection(("127.0.0.1", args.port)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            say("HANDSHAKE", tls.version())
            lines = tls.makefile("rb")
            tls.sendall(b"hello\n")
            while True:
                line = lines.readline()
                if not line or line.strip() == b"bye":
                    break
                say("GOT", line.strip().decode())
                tls.sendall(b"echo " + line)
            say("DONE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["server", "client"])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    serve(args) if args.mode == "server" else connect(args)


if __name__ == "__main__":
    main()
