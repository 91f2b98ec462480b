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

import os as _os

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
    MissingFieldError,
    NodeError,
    NodeInUseError,
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
)

_native._register_errors(dict(_BY_CODE), InvalidInputError, UnavailableError)

# Fork safety: in a child, generators made before the fork raise ForkedError
# and the default generator must get node numbers of its own.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(
        before=_native._before_fork,
        after_in_parent=_native._after_fork_in_parent,
        after_in_child=_native._after_fork_in_child,
    )

__all__ = [
    "ENCODINGS",
    "BehindHighWaterError",
    "Capacity",
    "ClockBeforeEpochError",
    "ClockError",
    "ClockMovedBackwardsError",
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
    "MissingFieldError",
    "NoFreeSlotError",
    "NodeError",
    "NodeInUseError",
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
    "__version__",
    "configure",
    "decode_str",
    "default_stats",
    "default_source",
    "encode",
    "inspect",
    "next",
]
