"""The request bodies the API reads (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]), with limits (DESIGN §11).

DRF's JSON and form parsers read the request stream directly, past Django's own check of
DATA_UPLOAD_MAX_MEMORY_SIZE: these read at most that many bytes and, beyond it, raise Django's own
RequestDataTooBig, which the API answers with 413 (cases/api/errors.py). JSON is
also refused (400) deeper than MAX_JSON_DEPTH levels: 100,000 nested `[` would otherwise exhaust the
interpreter's recursion limit while parsing, a 500, and anything deep enough to parse can still
exhaust it later, in validation or rendering. (Multipart bodies are read by Django's parser, which
applies the setting to their fields itself.)
"""

import json
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]  # DRF 3.18, not in its stubs yet
from rest_framework.utils.json import strict_constant


def read_capped(stream: IO[bytes] | None) -> bytes:
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")  # → 413
    return body


def deeper_than(value: Any, levels: int) -> bool:
    """Whether parsed JSON nests more than `levels` arrays or objects (without recursing itself)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > levels:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = get_encoding(parser_context or {})
        body = read_capped(stream)
        too_deep = _("The JSON is nested too deeply: at most %(levels)s levels.") % {
            "levels": settings.MAX_JSON_DEPTH
        }
        try:
            data = json.loads(body.decode(encoding), parse_constant=strict_constant if self.strict else None)
        except RecursionError:
            raise ParseError(too_deep) from None
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError among them
            raise ParseError(f"JSON parse error - {exc}") from None
        if deeper_than(data, settings.MAX_JSON_DEPTH):
            raise ParseError(too_deep)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return QueryDict(read_capped(stream), encoding=get_encoding(parser_context or {}))
