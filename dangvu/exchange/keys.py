"""The sender's Ed25519 key pair, kept in ``DANGVU_HOME/exchange/`` (private key readable by its
owner only), made on first use. Packages carry the public key; importers trust a list of them."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "sender_key.pem"


def key_dir(home: Path | None = None) -> Path:
    if home is None:
        from django.conf import settings

        home = Path(settings.DANGVU_HOME)
    return home / "exchange"


def sender_key(home: Path | None = None) -> Ed25519PrivateKey:
    """This instance's private key, created (mode 600) the first time a package is signed."""
    path = key_dir(home) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} không phải khóa Ed25519.")
    return key


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as base64 of its 32 raw bytes: what manifests carry and importers trust."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_from_text(text: str) -> Ed25519PublicKey:
    """Raises ValueError on anything that is not a base64 32-byte Ed25519 public key."""
    raw = base64.b64decode(text.strip(), validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(public_key: str) -> str:
    """A short stable name of a sender: the first 16 bytes of the SHA-256 of its public key, in hex."""
    return hashlib.sha256(public_key.strip().encode("ascii")).hexdigest()[:32]
