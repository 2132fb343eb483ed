"""Envelope encryption of the documents (docs/documents.md).

Each file gets a random 256-bit data key; its bytes are sealed with AES-GCM under that key, and
the key itself is sealed (wrapped) with AES-GCM under the current key-encryption key (KEK) from
settings.DOCUMENTS_KEYS. Rotating the KEK re-wraps the small data keys; the files stay as they are.
The storage name is authenticated with both (associated data), so a blob or a key moved to
another document does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The first bytes of every stored blob: format version 1.
MAGIC = b"NRMDOC1\n"
NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """The bytes, the wrapped key or the key-encryption key do not belong together."""


@dataclass(frozen=True)
class Sealed:
    blob: bytes
    wrapped_key: bytes
    key_id: str


def key_encryption_keys() -> dict[str, bytes]:
    """The key-encryption keys by id, the current one first (settings.DOCUMENTS_KEYS)."""
    found: dict[str, bytes] = {}
    for item in str(settings.DOCUMENTS_KEYS).split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise ImproperlyConfigured(f"DOCUMENTS_KEYS: key {key_id!r} is not base64") from error
        if not sep or not key_id or len(key) != 32:
            raise ImproperlyConfigured(f"DOCUMENTS_KEYS: key {key_id!r} must be id:base64 of 32 bytes")
        found[key_id] = key
    if not found:
        raise ImproperlyConfigured("DOCUMENTS_KEYS holds no key")
    return found


def current_key_id() -> str:
    return next(iter(key_encryption_keys()))


def _kek(key_id: str) -> bytes:
    try:
        return key_encryption_keys()[key_id]
    except KeyError as error:
        raise DecryptionFailed(f"key-encryption key {key_id!r} is not configured") from error


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as error:
        raise DecryptionFailed("authentication failed") from error


def _key_aad(key_id: str, name: str) -> bytes:
    return f"key|{key_id}|{name}".encode()


def encrypt(plaintext: bytes, *, name: str) -> Sealed:
    data_key = AESGCM.generate_key(bit_length=256)
    key_id = current_key_id()
    blob = MAGIC + _seal(data_key, plaintext, f"file|{name}".encode())
    wrapped = _seal(_kek(key_id), data_key, _key_aad(key_id, name))
    return Sealed(blob=blob, wrapped_key=wrapped, key_id=key_id)


def unwrap(wrapped_key: bytes, *, key_id: str, name: str) -> bytes:
    return _open(_kek(key_id), bytes(wrapped_key), _key_aad(key_id, name))


def decrypt(blob: bytes, *, wrapped_key: bytes, key_id: str, name: str) -> bytes:
    if not blob.startswith(MAGIC):
        raise DecryptionFailed("not an encrypted document")
    data_key = unwrap(wrapped_key, key_id=key_id, name=name)
    return _open(data_key, blob[len(MAGIC) :], f"file|{name}".encode())


def rewrap(wrapped_key: bytes, *, key_id: str, name: str, to_key_id: str) -> bytes:
    """The same data key, wrapped by another key-encryption key."""
    data_key = unwrap(wrapped_key, key_id=key_id, name=name)
    return _seal(_kek(to_key_id), data_key, _key_aad(to_key_id, name))
