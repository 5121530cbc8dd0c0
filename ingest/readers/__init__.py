"""The format readers, keyed by lower-case file suffix.

Each module of this package that defines a `READER` (a FormatReader) is a format: adding one is
adding a module, nothing else. The registry is built once, at import, and never changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import PurePosixPath
from types import MappingProxyType

from ingest.readers.base import Extracted, FormatReader, SourceFile, UnreadableFile
from ingest.readers.html import READER as HTML_READER
from ingest.readers.html import looks_like_html

__all__ = ["READERS", "Extracted", "FormatReader", "SourceFile", "UnreadableFile", "reader_for"]


def _discover() -> Mapping[str, FormatReader]:
    readers: dict[str, FormatReader] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        reader = getattr(module, "READER", None)
        if not isinstance(reader, FormatReader):
            continue
        for suffix in reader.suffixes:
            if suffix in readers:
                raise RuntimeError(
                    f"suffix {suffix} is claimed by both {readers[suffix].format} and "
                    f"{reader.format} readers"
                )
            readers[suffix] = reader
    return MappingProxyType(readers)


READERS: Mapping[str, FormatReader] = _discover()


def reader_for(source: str, data: bytes) -> FormatReader | None:
    """The reader for a file: by its suffix, any case; a text file that is really HTML is HTML."""
    reader = READERS.get(PurePosixPath(source).suffix.lower())
    if reader is not None and reader.format in {"text", "markdown"} and looks_like_html(data):
        return HTML_READER
    return reader
