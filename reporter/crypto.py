"""Encryption at rest for what reporters write, with AES-256-GCM from `cryptography`.

REPORTER_DATA_KEY holds one or more base64 32-byte keys, comma-separated: the first encrypts,
all of them decrypt, so a key can be rotated by putting the new one first. Each ciphertext
is bound to its report and field (associated data), so one cannot be moved to another row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = b"\x01"
EXTENSION = "reporter_cipher"  # where create_app() keeps the app's DataCipher
NONCE_SIZE = 12


class DataKeyError(ValueError):
    """REPORTER_DATA_KEY is missing or malformed, or a ciphertext matches no key."""


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


class DataCipher:
    def __init__(self, keys_text: str):
        keys = []
        for part in keys_text.split(","):
            try:
                key = base64.b64decode(part.strip(), validate=True)
            except ValueError as exc:
                raise DataKeyError("REPORTER_DATA_KEY is not base64") from exc
            if len(key) != 32:
                raise DataKeyError("each REPORTER_DATA_KEY key must be 32 bytes")
            keys.append(key)
        self._encrypt_key = keys[0]
        self._keys = {_key_id(k): AESGCM(k) for k in keys}

    @property
    def current_key_id(self) -> bytes:
        """The id every new ciphertext carries (bytes 1-4): that of the first, newest key."""
        return _key_id(self._encrypt_key)

    def reseal(self, blob: bytes | None, context: str) -> bytes | None:
        """The same text under the newest key; a ciphertext already under it is kept."""
        if blob is None or blob[1:5] == self.current_key_id:
            return blob
        return self.encrypt(self.decrypt(blob, context), context)

    def encrypt(self, text: str | None, context: str) -> bytes | None:
        if text is None:
            return None
        nonce = os.urandom(NONCE_SIZE)
        sealed = AESGCM(self._encrypt_key).encrypt(nonce, text.encode(), context.encode())
        return VERSION + _key_id(self._encrypt_key) + nonce + sealed

    def decrypt(self, blob: bytes | None, context: str) -> str | None:
        if blob is None:
            return None
        if blob[:1] != VERSION or (aead := self._keys.get(blob[1:5])) is None:
            raise DataKeyError("no key for this ciphertext")
        nonce, sealed = blob[5 : 5 + NONCE_SIZE], blob[5 + NONCE_SIZE :]
        return aead.decrypt(nonce, sealed, context.encode()).decode()


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def development_key(instance_dir: Path) -> str:
    """A key kept in instance/ for development, made on first use. Never used in production."""
    path = instance_dir / "data.key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(new_key())
        path.chmod(0o600)
    return path.read_text().strip()


def runtime_cipher() -> DataCipher:
    """The running app's cipher, made once from REPORTER_DATA_KEY by create_app()."""
    return current_app.extensions[EXTENSION]


def derived_key(keys_text: str, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose (`purpose` names it, and its version), derived from the
    first key of REPORTER_DATA_KEY: a new first key means a new derived key."""
    return derived_keys(keys_text, purpose)[0][1]


def derived_keys(keys_text: str, purpose: bytes) -> list[tuple[str, bytes]]:
    """(key id, derived key) for each key of REPORTER_DATA_KEY, the first (newest) first: the
    id (8 hex digits) is the one the key's ciphertexts carry."""
    keys = [base64.b64decode(part.strip()) for part in keys_text.split(",")]
    return [
        (_key_id(key).hex(), HKDF(hashes.SHA256(), 32, salt=None, info=purpose).derive(key))
        for key in keys
    ]


def keyed_token(key: bytes, kind: str, value: str) -> str:
    """A blind index token: the HMAC-SHA256 of `kind:value` under `key`, 128 bits in hex. Equal
    values of a kind give equal tokens; the value cannot be read back."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
