"""Real alert receivers on loopback for the tests: an HTTP webhook and an SMTP server (aiosmtpd),
each on a free port, each able to go down and come back on the same port."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Webhook:
    """Collects POSTed JSON bodies. `status` answers every POST with that HTTP code (503 = sick);
    `stop()` closes the port (down), `start()` opens it again."""

    def __init__(self):
        self.port = free_port()
        self.bodies: list[dict] = []
        self.status = 200
        self._server = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/T0KEN-secret"

    def start(self) -> "Webhook":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if owner.status == 200:
                    with owner._lock:
                        owner.bodies.append(json.loads(body))
                self.send_response(owner.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class Mailbox:
    """An SMTP server on loopback that keeps every message it accepts."""

    def __init__(self, tls_cert: tuple[Path, Path] | None = None, login: tuple[str, str] | None = None):
        self.port = free_port()
        self.messages = []
        self.logins: list[str] = []
        self.tls_cert = tls_cert
        self.login = login
        self._controller = None

    def start(self) -> "Mailbox":
        import ssl

        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        owner = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                owner.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = owner.login is not None and (auth_data.login.decode(), auth_data.password.decode()) == owner.login
            if ok:
                owner.logins.append(auth_data.login.decode())
            return AuthResult(success=ok)

        kwargs = {}
        if self.tls_cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, self.tls_cert))
            kwargs.update(tls_context=context, require_starttls=True)
        if self.login:
            kwargs.update(authenticator=authenticate, auth_require_tls=bool(self.tls_cert))
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), to test STARTTLS against a server we trust."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file
