"""Exception classes of snowid: one per core error code.

Every class derives from :class:`SnowidError` (which carries the core's
stable ``code`` and ``number``) and from the builtin class that Python code
expects: bad input is a :class:`ValueError` (unknown or missing node fields
are also a :class:`TypeError`, like a bad keyword argument), a clock or node
fault that prevents issuing an ID now is a :class:`RuntimeError`.
"""

from __future__ import annotations

from typing import Optional


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


# ---- layouts (1..) ----
class LayoutBitsSumError(LayoutError):
    code, number = "LAYOUT_BITS_SUM", 1


class FieldWidthError(LayoutError):
    code, number = "FIELD_WIDTH", 2


class FieldNameError(LayoutError):
    code, number = "FIELD_NAME", 3


class DuplicateFieldError(LayoutError):
    code, number = "DUPLICATE_FIELD", 4


class FieldCountError(LayoutError):
    code, number = "FIELD_COUNT", 5


class TickOutOfRangeError(LayoutError):
    code, number = "TICK_OUT_OF_RANGE", 6


class EpochInFutureError(LayoutError):
    code, number = "EPOCH_IN_FUTURE", 7


class UnknownLayoutError(LayoutError):
    code, number = "UNKNOWN_LAYOUT", 8


# ---- values (10..) ----
class FieldOutOfRangeError(InvalidInputError):
    code, number = "FIELD_OUT_OF_RANGE", 10


class UnknownFieldError(InvalidInputError, TypeError):
    code, number = "UNKNOWN_FIELD", 11


class MissingFieldError(InvalidInputError, TypeError):
    code, number = "MISSING_FIELD", 12


class IdOutOfRangeError(InvalidInputError):
    code, number = "ID_OUT_OF_RANGE", 13


class TimestampOutOfRangeError(InvalidInputError):
    code, number = "TIMESTAMP_OUT_OF_RANGE", 14


class InvalidSettingError(InvalidInputError):
    code, number = "INVALID_SETTING", 15


# ---- clock (20..) ----
class ClockMovedBackwardsError(ClockError):
    code, number = "CLOCK_MOVED_BACKWARDS", 20


class ClockBeforeEpochError(ClockError):
    code, number = "CLOCK_BEFORE_EPOCH", 21


class TimeExhaustedError(ClockError):
    code, number = "TIME_EXHAUSTED", 22


class SequenceExhaustedError(ClockError):
    code, number = "SEQUENCE_EXHAUSTED", 23


class ForkedError(UnavailableError):
    """Raised in a forked child by generators created before the fork, and by
    the default generator until the child has node numbers of its own."""

    code, number = "FORKED", 24


# ---- encodings (30..) ----
class ParseEmptyError(ParseError):
    code, number = "PARSE_EMPTY", 30


class ParseLengthError(ParseError):
    code, number = "PARSE_LENGTH", 31


class ParseCharacterError(ParseError):
    code, number = "PARSE_CHARACTER", 32


class ParseOverflowError(ParseError):
    code, number = "PARSE_OVERFLOW", 33


class UnknownEncodingError(InvalidInputError):
    code, number = "UNKNOWN_ENCODING", 34


# ---- node identity and persistence (50..) ----
class NoFreeSlotError(NodeError):
    code, number = "NO_FREE_SLOT", 50


class BehindHighWaterError(NodeError):
    code, number = "BEHIND_HIGH_WATER", 51


class StateIoError(NodeError):
    code, number = "STATE_IO", 52


class StateCorruptError(NodeError):
    code, number = "STATE_CORRUPT", 53


class NodeInUseError(NodeError):
    code, number = "NODE_IN_USE", 54


#: Every class above that stands for one core code, by code.
BY_CODE: dict[str, type[SnowidError]] = {
    cls.code: cls
    for cls in [
        LayoutBitsSumError, FieldWidthError, FieldNameError, DuplicateFieldError, FieldCountError,
        TickOutOfRangeError, EpochInFutureError, UnknownLayoutError, FieldOutOfRangeError,
        UnknownFieldError, MissingFieldError, IdOutOfRangeError, TimestampOutOfRangeError,
        InvalidSettingError, ClockMovedBackwardsError, ClockBeforeEpochError, TimeExhaustedError,
        SequenceExhaustedError, ForkedError, ParseEmptyError, ParseLengthError, ParseCharacterError,
        ParseOverflowError, UnknownEncodingError, NoFreeSlotError, BehindHighWaterError,
        StateIoError, StateCorruptError, NodeInUseError,
    ]
}


def class_for(code: str, kind: str) -> type[SnowidError]:
    """The class raised for a core error code: its own, or for a code newer
    than this file, the class of its kind (the instance then carries the
    code and number)."""
    if code in BY_CODE:
        return BY_CODE[code]
    return InvalidInputError if kind == "invalid_input" else UnavailableError
