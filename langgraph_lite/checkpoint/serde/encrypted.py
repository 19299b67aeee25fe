"""``EncryptedSerializer``: checkpoint values encrypted at rest, as in LangGraph.

It wraps a serializer (by default ``JsonPlusSerializer()``, our safe msgpack one) and a
*cipher*: every value a saver stores through ``dumps_typed`` is encoded by the serializer, then
encrypted; its format is the serializer's with ``+<cipher name>`` appended (``"msgpack+aes"``).
Reading decrypts what carries a cipher's name and decodes the rest as before, so a thread saved
before encryption was turned on still reads.

``from_pycryptodome_aes(key=...)`` builds one with AES in EAX mode (authenticated: a wrong key
or changed bytes fail to decrypt, never decode as something else). It needs pycryptodome
(``pip install "langgraph-lite[crypto]"``); the key is 16, 24 or 32 bytes, or is read from the
``LANGGRAPH_AES_KEY`` environment variable. A stored value is the 16-byte nonce, the 16-byte
tag, then the ciphertext.

>>> serde = EncryptedSerializer.from_pycryptodome_aes(key=b"0123456789abcdef")
>>> kind, data = serde.dumps_typed({"answer": 42})
>>> kind, serde.loads_typed((kind, data))
('msgpack+aes', {'answer': 42})

Pass it as a saver's ``serde``: ``SqliteSaver(conn, serde=serde)``, or set ``saver.serde``
before the saver's first use.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from langgraph_lite.checkpoint.serde import CheckpointDecodeError, MsgpackSerde

__all__ = ["CipherProtocol", "EncryptedSerializer"]

KEY_VARIABLE = "LANGGRAPH_AES_KEY"


class CipherProtocol(Protocol):
    """What ``EncryptedSerializer`` needs of a cipher."""

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        """``(cipher name, ciphertext)``; the name (no ``+`` in it) is stored with the value."""
        ...

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        """The plaintext of ``encrypt``'s ciphertext; raises on a wrong key or changed bytes."""
        ...


class EncryptedSerializer:
    """A serializer whose ``dumps_typed`` encrypts what ``serde`` encodes (module docstring).

    ``dumps``/``loads`` (bytes without a format, which savers use only for values that pass
    through ``dumps_typed`` too) and ``allow`` are the wrapped serializer's.
    """

    def __init__(self, cipher: CipherProtocol, serde: Any = None) -> None:
        self.cipher = cipher
        self.serde = serde if serde is not None else _default_serde()

    @classmethod
    def from_pycryptodome_aes(cls, serde: Any = None, **kwargs: Any) -> EncryptedSerializer:
        """AES in EAX mode with ``key=`` (16, 24 or 32 bytes; default: the
        ``LANGGRAPH_AES_KEY`` environment variable)."""
        return cls(_AesEax(**kwargs), serde)

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        kind, data = self.serde.dumps_typed(obj)
        name, sealed = self.cipher.encrypt(data)
        return f"{kind}+{name}", sealed

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        kind, payload = data
        if "+" not in kind:  # stored before encryption was turned on
            return self.serde.loads_typed(data)
        kind, name = kind.rsplit("+", 1)
        try:
            plain = self.cipher.decrypt(name, payload)
        except Exception as exc:
            raise CheckpointDecodeError(
                f"a checkpoint value stored encrypted ({name!r}) could not be decrypted "
                f"({exc}): the key is not the one it was saved with, or the stored bytes "
                "were changed. Nothing was decoded."
            ) from None
        return self.serde.loads_typed((kind, plain))

    def dumps(self, obj: Any) -> bytes:
        return self.serde.dumps(obj)  # type: ignore[no-any-return]

    def loads(self, data: bytes) -> Any:
        return self.serde.loads(data)

    def allow(self, *classes: type) -> None:
        """Let the wrapped serializer rebuild instances of ``classes``."""
        allow = getattr(self.serde, "allow", None)
        if allow is not None:
            allow(*classes)


def _default_serde() -> MsgpackSerde:
    from langgraph_lite.checkpoint.serde.jsonplus import JsonPlusSerializer

    return JsonPlusSerializer()


class _AesEax:
    """AES-EAX through pycryptodome: nonce (16 bytes), tag (16 bytes), ciphertext."""

    name = "aes"

    def __init__(self, *, key: bytes | str | None = None, **options: Any) -> None:
        try:
            from Crypto.Cipher import AES  # type: ignore[import-not-found]
        except ImportError:
            raise ImportError(
                "EncryptedSerializer.from_pycryptodome_aes needs pycryptodome: "
                'pip install "langgraph-lite[crypto]" (or pip install pycryptodome).'
            ) from None
        if key is None:
            key = os.environ.get(KEY_VARIABLE)
            if not key:
                raise ValueError(
                    f"from_pycryptodome_aes() needs a key: pass key=b'...' (16, 24 or 32 "
                    f"bytes) or set the {KEY_VARIABLE} environment variable."
                )
        if isinstance(key, str):
            key = key.encode()
        if len(key) not in (16, 24, 32):
            raise ValueError(
                f"an AES key is 16, 24 or 32 bytes long; this one is {len(key)} bytes."
            )
        self._aes = AES
        self._key = key
        self._mode = options.pop("mode", AES.MODE_EAX)
        if self._mode != AES.MODE_EAX:
            raise ValueError("from_pycryptodome_aes() supports only AES.MODE_EAX.")
        if options:  # a fixed nonce breaks EAX; another tag length would not read back
            raise ValueError(
                f"from_pycryptodome_aes() takes key= (and mode=AES.MODE_EAX), not "
                f"{', '.join(sorted(options))}: each value gets a fresh nonce and a 16-byte tag."
            )

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        cipher = self._aes.new(self._key, self._mode)
        ciphertext, tag = cipher.encrypt_and_digest(plaintext)
        return self.name, cipher.nonce + tag + ciphertext

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        if ciphername != self.name:
            raise ValueError(f"it was encrypted with {ciphername!r}, not {self.name!r}")
        if len(ciphertext) < 32:
            raise ValueError("it is shorter than a nonce and a tag")
        nonce, tag, body = ciphertext[:16], ciphertext[16:32], ciphertext[32:]
        cipher = self._aes.new(self._key, self._mode, nonce=nonce)
        return cipher.decrypt_and_verify(body, tag)  # type: ignore[no-any-return]
