"""Encoded answers kept for a while in files, so that every worker of a server (and every
process on the machine) reuses an answer that one of them made.

A file per key, named by the key's SHA-256; its modification time is its age. Files are
written under a temporary name and renamed into place, so a reader sees a whole answer or
none. The cache only saves work: if it cannot be read or written, the answer is made again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)


class AnswerCache:
    def __init__(self, directory: Path, seconds: float) -> None:
        self.directory = directory
        self.seconds = seconds

    def _path(self, key: str) -> Path:
        return self.directory / hashlib.sha256(key.encode()).hexdigest()

    def get(self, key: str) -> bytes | None:
        """The answer kept for `key`, unless it is missing or older than the time allowed."""
        path = self._path(key)
        try:
            if time.time() - path.stat().st_mtime >= self.seconds:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def put(self, key: str, answer: bytes) -> None:
        """Keep `answer` for `key`, and remove the answers that have expired."""
        path = self._path(key)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            draft.write_bytes(answer)
            os.replace(draft, path)
            self._expire()
        except OSError as exc:
            log.warning("an answer could not be kept: %s", type(exc).__name__)
            draft.unlink(missing_ok=True)

    def _expire(self) -> None:
        now = time.time()
        for entry in os.scandir(self.directory):
            try:
                if now - entry.stat().st_mtime >= self.seconds:
                    os.unlink(entry.path)
            except OSError:
                continue  # another worker removed or replaced it meanwhile
