"""A security key in software: what a USB key or a phone's passkey answers to the browser's
WebAuthn calls (attestation "none", an ES256 key pair), so that the server's checks run on real
signatures in the unit tests. The browser tests use Chromium's own virtual authenticator."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftKey:
    def __init__(self, origin: str, rp_id: str | None = None, credential_id: bytes | None = None):
        self.origin = origin
        self.rp_id = rp_id or origin.split("://", 1)[1].split(":")[0]
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = credential_id or os.urandom(16)
        self.sign_count = 0

    def _cose_public_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _authenticator_data(self, flags: int, attested: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + self.sign_count.to_bytes(4, "big") + attested

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def register(self, options: dict) -> dict:
        """The answer to navigator.credentials.create() with the server's options."""
        client_data = self._client_data("webauthn.create", options["challenge"])
        attested = (
            b"\0" * 16
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_public_key()
        )
        auth_data = self._authenticator_data(0x45, attested)  # user present, verified, attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["usb"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "cross-platform",
        }

    def sign_in(self, options: dict) -> dict:
        """The answer to navigator.credentials.get() with the server's options."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = self._authenticator_data(0x05)  # user present and verified
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.private.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(auth_data),
                "clientDataJSON": b64url(client_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "cross-platform",
        }
