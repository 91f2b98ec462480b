"""snowid: 64-bit, time-sortable, unique IDs (the Snowflake scheme), made
in-process by a Rust core.

>>> import snowid
>>> id = snowid.next()                  # from the module's default generator
>>> snowid.inspect(id).timestamp        # aware datetime, UTC
>>> gen = snowid.Generator(datacenter=1, worker=7)
>>> gen.next_batch(1000)

``snowid.next`` is the native function itself (no Python wrapper), so one ID
costs about as much as ``time.time_ns()``.
"""

import atexit as _atexit

from . import _native
from ._native import (
    ENCODINGS,
    Capacity,
    Generator,
    Layout,
    Parts,
    Stats,
    __version__,
    configure,
    decode_str,
    default_stats,
    default_source,
    encode,
    inspect,
    next,
)
from .exceptions import (
    BY_CODE as _BY_CODE,
    BehindHighWaterError,
    ClockBeforeEpochError,
    ClockError,
    ClockMovedBackwardsError,
    CoordinationUnavailableError,
    DuplicateFieldError,
    EpochInFutureError,
    FieldCountError,
    FieldNameError,
    FieldOutOfRangeError,
    FieldWidthError,
    ForkedError,
    IdOutOfRangeError,
    InvalidInputError,
    InvalidSettingError,
    LayoutBitsSumError,
    LayoutError,
    LeaseLostError,
    LeaseTakenError,
    MissingFieldError,
    NodeError,
    NodeInUseError,
    NodeSourceRequiredError,
    NoFreeSlotError,
    ParseCharacterError,
    ParseEmptyError,
    ParseError,
    ParseLengthError,
    ParseOverflowError,
    SequenceExhaustedError,
    SnowidError,
    StateCorruptError,
    StateIoError,
    TickOutOfRangeError,
    TimeExhaustedError,
    TimestampOutOfRangeError,
    UnavailableError,
    UnknownEncodingError,
    UnknownFieldError,
    UnknownLayoutError,
    WrongTypeError,
)

_native._register_errors(dict(_BY_CODE), InvalidInputError, UnavailableError)

# A clean exit releases the default generator's high-water mark, so the next
# process with its numbers gets its first ID without waiting. (After fork(),
# the core's own handlers keep a child from reusing the parent's numbers.)
_atexit.register(_native._shutdown)

__all__ = [
    "ENCODINGS",
    "BehindHighWaterError",
    "Capacity",
    "ClockBeforeEpochError",
    "ClockError",
    "ClockMovedBackwardsError",
    "CoordinationUnavailableError",
    "DuplicateFieldError",
    "EpochInFutureError",
    "FieldCountError",
    "FieldNameError",
    "FieldOutOfRangeError",
    "FieldWidthError",
    "ForkedError",
    "Generator",
    "IdOutOfRangeError",
    "InvalidInputError",
    "InvalidSettingError",
    "Layout",
    "LayoutBitsSumError",
    "LayoutError",
    "LeaseLostError",
    "LeaseTakenError",
    "MissingFieldError",
    "NoFreeSlotError",
    "NodeError",
    "NodeInUseError",
    "NodeSourceRequiredError",
    "ParseCharacterError",
    "ParseEmptyError",
    "ParseError",
    "ParseLengthError",
    "ParseOverflowError",
    "Parts",
    "SequenceExhaustedError",
    "SnowidError",
    "StateCorruptError",
    "StateIoError",
    "Stats",
    "TickOutOfRangeError",
    "TimeExhaustedError",
    "TimestampOutOfRangeError",
    "UnavailableError",
    "UnknownEncodingError",
    "UnknownFieldError",
    "UnknownLayoutError",
    "WrongTypeError",
    "__version__",
    "configure",
    "decode_str",
    "default_stats",
    "default_source",
    "encode",
    "inspect",
    "next",
]
