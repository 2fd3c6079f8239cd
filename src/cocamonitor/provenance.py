"""Provenance of computed estimates: which inputs, parameters and code version produced them.

Examples
--------
>>> from cocamonitor.provenance import Provenance
>>> prov = Provenance.build(parameters={"confidence": 0.95})
>>> sorted(prov.to_dict())
['inputs', 'parameters', 'version']

"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cocamonitor._version import __version__

__all__ = ["Provenance", "sha256_file"]


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks (memory does not grow with size)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """Inputs (path → SHA-256), parameters and cocamonitor version behind an estimate.

    Attributes
    ----------
    inputs : dict of str to str
        Each input file's path as given, mapped to its SHA-256.
    parameters : dict
        The parameters of the computation (confidence level, seed, method, ...).
    version : str
        The cocamonitor version that computed it.

    """

    inputs: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    version: str = __version__

    @classmethod
    def build(
        cls,
        inputs: Iterable[str | Path] = (),
        parameters: Mapping[str, Any] | None = None,
    ) -> Provenance:
        """Hash the input files and record the parameters and the current version."""
        hashed = {str(p): sha256_file(p) for p in inputs}
        return cls(inputs=hashed, parameters=dict(parameters or {}))

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"inputs": ..., "parameters": ..., "version": ...}`` (the JSON contract)."""
        return {
            "inputs": dict(self.inputs),
            "parameters": dict(self.parameters),
            "version": self.version,
        }
