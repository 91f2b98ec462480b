"""Exception classes of snowid: one per core error code.

Every class derives from :class:`SnowidError` (which carries the core's
stable ``code``, ``number`` and ``kind``) and from the builtin class that
Python code expects: bad input is a :class:`ValueError` (a value of the
wrong type, and unknown or missing node fields, are also a
:class:`TypeError`, like a bad keyword argument), a clock or node fault that
prevents issuing an ID now is a :class:`RuntimeError`.

A class stands for the core code its name spells (``NodeInUseError`` is
``NODE_IN_USE``); its number and kind are read from the core's table
(``snowid._native.error_codes()``, i.e. ``snowid::ERROR_CODES``) when this
module is imported, never written here. ``tests/test_vectors.py`` checks
that every code of the table has its class, of the right kind.
"""

from __future__ import annotations

from typing import Dict, Optional

from ._native import error_codes as _error_codes


class SnowidError(Exception):
    """Base class of every snowid error. ``code`` is the core's stable code
    (e.g. ``"FIELD_OUT_OF_RANGE"``), ``number`` its number, ``kind``
    ``"invalid_input"`` or ``"unavailable"``."""

    code: str = "UNKNOWN"
    number: int = 0
    kind: str = "invalid_input"

    def __init__(self, message: str, *, code: Optional[str] = None, number: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if number is not None:
            self.number = number

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InvalidInputError(SnowidError, ValueError):
    """Something passed in is invalid (a layout, a value, a string)."""

    kind = "invalid_input"


class UnavailableError(SnowidError, RuntimeError):
    """An ID cannot be issued now (the clock, the node's identity, a fork)."""

    kind = "unavailable"


class LayoutError(InvalidInputError):
    """A layout specification is invalid."""


class ParseError(InvalidInputError):
    """Text is not a valid encoded ID."""


class ClockError(UnavailableError):
    """The clock does not allow issuing an ID now."""


class NodeError(UnavailableError):
    """The node's identity or its persisted state does not allow issuing."""


# ---- layouts ----
class LayoutBitsSumError(LayoutError):
    """The field widths do not fill the ID."""


class FieldWidthError(LayoutError):
    """A field is too narrow or too wide."""


class FieldNameError(LayoutError):
    """A field name is empty, too long, reserved or not ``[a-z0-9_]``."""


class DuplicateFieldError(LayoutError):
    """Two fields share a name."""


class FieldCountError(LayoutError):
    """Wrong number of fields of one kind."""


class TickOutOfRangeError(LayoutError):
    """The tick length is out of range."""


class EpochInFutureError(LayoutError):
    """The epoch lies after the current time."""


class UnknownLayoutError(LayoutError):
    """No preset has that name."""


# ---- values ----
class FieldOutOfRangeError(InvalidInputError):
    """A value does not fit its field (negatives and huge ints too)."""


class UnknownFieldError(InvalidInputError, TypeError):
    """A node field the layout does not have."""


class MissingFieldError(InvalidInputError, TypeError):
    """A node field was not given a value."""


class IdOutOfRangeError(InvalidInputError):
    """The number cannot be an ID of this layout."""


class TimestampOutOfRangeError(InvalidInputError):
    """A time outside the layout's lifespan."""


class InvalidSettingError(InvalidInputError):
    """An option, argument or ``SNOWID_*`` variable has a bad value."""


class WrongTypeError(InvalidInputError, TypeError):
    """An argument of the wrong type (a str where an int is due, a float, a
    list, a naive datetime...)."""


# ---- clock ----
class ClockMovedBackwardsError(ClockError):
    """The clock is behind the last issued tick by more than allowed."""


class ClockBeforeEpochError(ClockError):
    """The clock reads a time before the layout's epoch."""


class TimeExhaustedError(ClockError):
    """The layout's time field has run out."""


class SequenceExhaustedError(ClockError):
    """A manual clock's tick has no sequence numbers left."""


class ForkedError(UnavailableError):
    """Raised in a forked child by generators created before the fork."""


# ---- encodings ----
class ParseEmptyError(ParseError):
    """An empty string."""


class ParseLengthError(ParseError):
    """The wrong length for the encoding."""


class ParseCharacterError(ParseError):
    """A character outside the encoding's alphabet."""


class ParseOverflowError(ParseError):
    """A number above 2^64 - 1."""


class UnknownEncodingError(InvalidInputError):
    """No encoding has that name."""


# ---- node identity, persistence, leases ----
class NoFreeSlotError(NodeError):
    """Every machine-local slot is held by a live process."""


class BehindHighWaterError(NodeError):
    """The clock is behind the persisted high-water mark by too much."""


class StateIoError(NodeError):
    """A state file could not be read or written."""


class StateCorruptError(NodeError):
    """A state file is not a valid mark."""


class NodeInUseError(NodeError):
    """The node numbers are held by another live generator on this machine."""


class LeaseLostError(NodeError):
    """The lease on the node numbers is not confirmed recently enough."""


class LeaseTakenError(NodeError):
    """The leased node numbers are gone for good."""


class CoordinationUnavailableError(NodeError):
    """etcd or Redis could not be reached or answered with an error."""


class NodeSourceRequiredError(NodeError):
    """A replicated environment (Kubernetes, AWS Lambda, Cloud Run) with no
    node source configured."""


class SegmentKeyError(InvalidInputError):
    """A segment key is empty, too long, or has characters outside
    ``A-Z a-z 0-9 _ - .`` (or starts with ``.``)."""


class SegmentStoreUrlError(InvalidInputError):
    """A segment store URL cannot be used (unknown scheme, no host, a store
    this build lacks...)."""


class SegmentExhaustedError(UnavailableError):
    """The key's counter would pass 2**63 - 1."""


class SegmentStoreUnavailableError(UnavailableError):
    """Both buffered ranges are spent and the store gave no new range (or
    lost its data)."""


class PublicIdKeyError(InvalidInputError):
    """A public ID key that is not 16, 24 or 32 bytes (32, 48 or 64 hex
    digits)."""


class PublicIdCheckError(ParseError):
    """A public ID that fails its check: mistyped, or made with another key
    or context."""


class RemoteUnavailableError(UnavailableError):
    """The ID service gave no batch in time: refused, reset, cut short,
    429/5xx until ``timeout_ms`` ran out, or an answer no retry changes."""


class RemoteTimeoutError(UnavailableError):
    """The ID service accepted but did not answer within ``timeout_ms``."""


class UnauthorizedError(UnavailableError):
    """The ID service refused the bearer token (HTTP 401)."""


def class_name(code: str) -> str:
    """The class name of a core code: ``NODE_IN_USE`` -> ``NodeInUseError``."""
    return "".join(part.capitalize() for part in code.split("_")) + "Error"


#: Every class above that stands for one core code, by code; each gets its
#: code and number from the core's table here.
BY_CODE: Dict[str, type[SnowidError]] = {}
for _code, _number, _kind in _error_codes():
    _cls = globals().get(class_name(_code))
    if isinstance(_cls, type) and issubclass(_cls, SnowidError):
        _cls.code, _cls.number = _code, _number
        BY_CODE[_code] = _cls
del _code, _number, _kind, _cls


def class_for(code: str, kind: str) -> type[SnowidError]:
    """The class raised for a core error code: its own, or for a code newer
    than this file, the class of its kind (the instance then carries the
    code and number)."""
    if code in BY_CODE:
        return BY_CODE[code]
    return InvalidInputError if kind == "invalid_input" else UnavailableError
