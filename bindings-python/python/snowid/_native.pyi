"""Type stubs of snowid's native module (Rust, pyo3). Use it through the
``snowid`` package; ``tests/test_stubs.py`` checks this file against the
module."""

from __future__ import annotations

import datetime
import os
import uuid as _uuid
from typing import Dict, Iterable, List, Optional, Tuple, Union, final

from snowid.exceptions import SnowidError

_Instant = Union[int, datetime.datetime]
_LayoutArg = Union[str, "Layout"]
_Clock = Union[str, "ManualClock"]

ENCODINGS: Tuple[str, ...]
"""Names of the text encodings: ``("decimal", "hex", "base32", "base62")``."""

__version__: str

def next() -> int:
    """An ID from the module's default generator. The generator is created on
    first use from ``configure(...)`` over the ``SNOWID_*`` environment
    (``SNOWID_LAYOUT``, ``SNOWID_NODE_SOURCE``, ``SNOWID_<FIELD>_ID``...),
    else the first free machine-local slot (in Kubernetes, AWS Lambda or
    Cloud Run a source must be named); the numbers are locked on this machine
    and a high-water mark is persisted. A forked child re-creates it from
    the same settings: a machine-local slot of its own, while fixed numbers
    stay with the parent (``NodeInUseError`` until the child configures its
    own)."""

def configure(
    *,
    # BEGIN GENERATED options:pyi-default (make options)
    layout: Optional[_LayoutArg] = None,
    epoch: Optional[_Instant] = None,
    clock: Optional[_Clock] = None,
    on_regression: Optional[str] = None,
    max_wait_ms: Optional[int] = None,
    max_borrow_ticks: Optional[int] = None,
    node_source: Optional[str] = None,
    state_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
    protect: Optional[bool] = None,
    persist: Optional[bool] = None,
    window_ms: Optional[int] = None,
    random_sequence_start: Optional[bool] = None,
    lanes: Optional[int] = None,
    # END GENERATED options:pyi-default
    **node_fields: int,
) -> None:
    """Sets the default generator's options (the keywords of ``Generator``;
    what is not given comes from the ``SNOWID_*`` environment). Validated at
    once. With the running default generator's settings it does nothing;
    with others it replaces it if it has issued nothing yet, else raises
    ``InvalidSettingError`` naming the first setting that differs."""

def ready() -> None:
    """``Generator.ready()`` of the default generator behind ``next()``:
    reached as ``next()`` reaches it, so it is created on first use
    (claiming its node numbers) and re-created in a forked child. Raises
    the error the next ``snowid.next()`` would raise (``NodeInUseError``,
    ``BehindHighWaterError``, ``LeaseLostError``...)."""

def default_stats() -> Stats:
    """Counters of the default generator (all zero before its first use)."""

def default_source() -> Optional[str]:
    """Where the default generator's node numbers came from (``"local slot 3
    in ..."``, ``"env (datacenter=1, worker=7)"``, ``"explicit"``), or
    ``None`` before its first use."""

def inspect(id: int, layout: Optional[_LayoutArg] = None) -> Parts:
    """Decodes ``id`` with ``layout`` (a preset name or a ``Layout``); by
    default with the default generator's layout: the ``configure()``d one,
    else ``SNOWID_LAYOUT``, else Twitter."""

def encode(id: int, encoding: str) -> str:
    """``id`` as text: ``"decimal"``, ``"hex"`` (16 digits), ``"base32"``
    (13 Crockford digits) or ``"base62"`` (11 digits). The fixed-width forms
    sort like the numbers."""

def decode_str(text: str, encoding: str) -> int:
    """Parses text made by ``encode(id, encoding)`` back into the ID.
    Base32 parsing is case-insensitive and reads I/L as 1 and O as 0."""

def error_codes() -> List[Tuple[str, int, str]]:
    """Every core error code as ``(code, number, kind)``, in number order."""

def after_fork_in_child() -> None:
    """Tells the core this process is a fork child. Not needed after
    ``os.fork()`` (the core's ``pthread_atfork`` handler does it); only after
    a fork that bypasses the C library's fork handlers."""

def _register_errors(
    by_code: Dict[str, type[SnowidError]], invalid_input: type[SnowidError], unavailable: type[SnowidError]
) -> None: ...
def _shutdown() -> None: ...
def _resolve(target: str, options: Optional[Dict[str, object]], env: Dict[str, Union[str, bytes]]) -> str: ...

@final
class Layout:
    """A bit layout: which fields an ID has, their widths and order, the epoch
    and the tick. Presets: ``Layout.twitter()`` (the default), ``.discord()``,
    ``.instagram()``, ``.sonyflake()`` or ``Layout.preset(name)``."""

    def __init__(
        self,
        name: str,
        fields: Iterable[Union[Tuple[str, int], Tuple[str, int, str]]],
        *,
        epoch: _Instant,
        tick_ms: int = 1,
        sign_bit: bool = True,
    ) -> None:
        """A custom layout. ``fields`` lists ``(name, bits)`` or
        ``(name, bits, kind)`` from the most significant bit down; without a
        kind, ``"timestamp"`` is the time field, ``"sequence"`` the sequence,
        any other name a node field. ``sign_bit=True`` keeps the top bit 0."""
    @staticmethod
    def preset(name: str) -> Layout:
        """A preset by name, exact: ``"twitter"``, ``"discord"``, ``"instagram"``,
        ``"sonyflake"`` (``"Twitter"`` is :class:`UnknownLayoutError`)."""
    @staticmethod
    def twitter() -> Layout:
        """Sign bit, 41 bits of ms, 5 datacenter, 5 worker, 12 sequence."""
    @staticmethod
    def discord() -> Layout:
        """42 bits of ms, 5 worker, 5 process, 12 increment."""
    @staticmethod
    def instagram() -> Layout:
        """41 bits of ms, 13 shard, 10 sequence."""
    @staticmethod
    def sonyflake() -> Layout:
        """Sign bit, 39 bits of 10 ms ticks, 8 sequence, 16 machine."""
    @property
    def name(self) -> str:
        """The layout's name."""
    @property
    def fields(self) -> Tuple[Tuple[str, int, str], ...]:
        """Fields as ``(name, bits, kind)``, most significant first."""
    @property
    def node_names(self) -> Tuple[str, ...]:
        """Names of the node fields, in layout order."""
    @property
    def sequence_name(self) -> str:
        """Name of the sequence field (Discord: ``"increment"``)."""
    @property
    def epoch_ms(self) -> int:
        """Epoch in ms since the Unix epoch."""
    @property
    def epoch(self) -> datetime.datetime:
        """Epoch as an aware datetime (UTC)."""
    @property
    def tick_ms(self) -> int:
        """Tick length in ms."""
    @property
    def sign_bit(self) -> bool:
        """Whether the top bit is reserved (always 0)."""
    @property
    def max_id(self) -> int:
        """Largest ID the layout can hold."""
    @property
    def capacity(self) -> Capacity:
        """Lifespan, end, IDs per tick and per second per node, nodes."""
    def decode(self, id: int) -> Parts:
        """Splits an ID into its parts."""
    def compose(self, *, timestamp: _Instant, sequence: Optional[int] = None, **nodes: int) -> int:
        """Builds an ID from a time (rounded down to its tick), a sequence
        (default 0) and every node field by name."""
    def min_id_at(self, when: _Instant) -> int:
        """Smallest ID any node can issue in the tick holding ``when``."""
    def max_id_at(self, when: _Instant) -> int:
        """Largest ID any node can issue in the tick holding ``when``."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Capacity:
    """What a layout can hold."""

    @property
    def lifespan_ms(self) -> int:
        """How long the time field lasts, in ms."""
    @property
    def end_ms(self) -> int:
        """First instant (ms since the Unix epoch) the layout cannot hold."""
    @property
    def end(self) -> Optional[datetime.datetime]:
        """``end_ms`` as an aware datetime, or ``None`` past year 9999."""
    @property
    def ids_per_tick(self) -> int:
        """IDs one node can issue per tick."""
    @property
    def ids_per_second_per_node(self) -> int:
        """IDs one node can issue per second."""
    @property
    def nodes(self) -> int:
        """Number of distinct node-number combinations."""

@final
class Parts:
    """The parts of one ID (immutable). Node fields are attributes by name
    (``parts.worker``, ``parts.shard``...)."""

    @property
    def id(self) -> int:
        """The ID."""
    @property
    def layout(self) -> Layout:
        """The layout the ID was decoded with."""
    @property
    def timestamp(self) -> datetime.datetime:
        """Start of the ID's tick, as an aware datetime in UTC."""
    @property
    def timestamp_ms(self) -> int:
        """Start of the ID's tick, in ms since the Unix epoch."""
    @property
    def tick(self) -> int:
        """The raw time field (ticks since the layout's epoch)."""
    @property
    def sequence(self) -> int:
        """The sequence field."""
    @property
    def nodes(self) -> Dict[str, int]:
        """Node fields by name, in layout order."""
    def __getattr__(self, name: str) -> int:
        """A node field by name."""
    def to_dict(self) -> Dict[str, Union[int, str, datetime.datetime]]:
        """``id``, ``layout``, ``timestamp``, ``timestamp_ms``, ``tick``, the
        node fields and ``sequence``."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Generator:
    """A lock-free ID generator for one node; share one between threads.
    Node fields by the layout's names, every one required
    (``Generator(datacenter=1, worker=7)``,
    ``Generator(layout="instagram", shard=5)``)."""

    def __init__(
        self,
        *,
        # BEGIN GENERATED options:pyi-generator (make options)
        layout: Optional[_LayoutArg] = None,
        epoch: Optional[_Instant] = None,
        clock: Optional[_Clock] = None,
        on_regression: Optional[str] = None,
        max_wait_ms: Optional[int] = None,
        max_borrow_ticks: Optional[int] = None,
        node_source: Optional[str] = None,
        state_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
        protect: Optional[bool] = None,
        persist: Optional[bool] = None,
        window_ms: Optional[int] = None,
        random_sequence_start: Optional[bool] = None,
        lanes: Optional[int] = None,
        # END GENERATED options:pyi-generator
        **node_fields: int,
    ) -> None:
        """``layout``: preset name or ``Layout`` (default ``"twitter"``);
        ``epoch``: override the layout's epoch; ``clock``: ``"cached"``
        (default), ``"monotonic"`` or a ``snowid.testing.ManualClock``;
        ``on_regression``: ``"wait"`` (default, up to ``max_wait_ms``, 1000)
        or ``"fail"``; ``max_borrow_ticks``: ticks it may run ahead of the
        clock when a tick's sequence is spent (default 0: wait).
        Node numbers: every node field, or ``node_source``: ``"local"`` (a
        free machine-local slot), ``"env"`` (``SNOWID_<FIELD>_ID``), ``"k8s"``
        (StatefulSet ordinal), ``"etcd"``, ``"redis"``. Either way they are
        locked on this machine (``NodeInUseError`` for a second holder) with
        a high-water mark under ``state_dir`` (``window_ms`` ahead, kept
        unless ``persist=False``); ``protect=False`` (automatic with a
        ``ManualClock``) skips both, for explicit numbers only.
        ``random_sequence_start=True``: each tick entered from the clock
        starts its sequence at a pseudo-random offset (0..255 on Twitter), so
        ``id % shards`` spreads at low rates (a tick after a pause holds that
        many fewer IDs). ``lanes=4``: the generator holds 4 node numbers
        (consecutive from the given ones, or claimed from the source), each
        thread uses its own lane, capacity 4x; IDs increase per lane and are
        time-sortable across lanes; ``next_batch`` fills one run per lane."""
    @staticmethod
    def from_env() -> "Generator":
        """A generator configured like the default one with nothing
        ``configure()``d, from the ``SNOWID_*`` variables; with nothing set,
        a machine-local slot."""
    @property
    def source(self) -> str:
        """Where the node numbers came from (``"explicit"``, ``"local slot 3
        in ..."``, ``"env (datacenter=1, worker=7)"``)."""
    def next(self) -> int:
        """One ID, greater than every ID this generator issued before."""
    def next_batch(self, n: int) -> List[int]:
        """``n`` consecutive IDs (fewer only if an error stopped the batch
        after some were issued; the next call raises it)."""
    @property
    def layout(self) -> Layout:
        """The layout."""
    @property
    def nodes(self) -> Dict[str, int]:
        """Node values by field name (lane 0's; see ``lane_nodes``)."""
    @property
    def lane_nodes(self) -> List[Dict[str, int]]:
        """Every lane's node values by field name, lane 0 first: one
        ``dict`` per lane (``lanes=4`` holds 4 node numbers)."""
    def ready(self) -> None:
        """Whether the generator can issue now, without issuing (for your own
        readiness probe): returns when the next ID of every lane would be
        issued, else raises the error that ID would raise
        (``BehindHighWaterError``, ``LeaseLostError``,
        ``ClockMovedBackwardsError``, ``ForkedError``...). Takes no ID and
        moves no counter; like the next ID, it may first extend the
        reservation (one mark write or lease check per window)."""
    def stats(self) -> Stats:
        """The counters."""

@final
class RemoteGenerator:
    """IDs from a ``snowid serve`` at ``url`` (``http://`` or ``https://``),
    fetched in batches in the background and handed out from a local buffer
    (no lock, no I/O per ID): the answer to ``NODE_SOURCE_REQUIRED`` for
    processes with no node identity. With ``key``, the dense IDs of that
    segment key. An empty buffer waits at most ``timeout_ms``, then raises
    ``RemoteTimeoutError``, ``RemoteUnavailableError`` or
    ``UnauthorizedError``. Thread-safe; a child after ``os.fork()`` fetches
    its own batches."""

    def __init__(
        self,
        url: str,
        *,
        # BEGIN GENERATED options:pyi-remote (make options)
        prefetch_at: Optional[int] = None,
        token: Optional[str] = None,
        key: Optional[str] = None,
        batch: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        # END GENERATED options:pyi-remote
    ) -> None:
        """``token``: the service's bearer token; ``batch``: IDs per request
        (default 4096); ``prefetch_at``: percent of a batch used before the
        next is fetched (default 10); ``timeout_ms``: longest wait (default
        5000)."""
    @property
    def url(self) -> str:
        """The service's URL, normalised (never the token)."""
    def next(self) -> int:
        """The next ID (waits at most ``timeout_ms`` when the buffer is empty)."""
    def next_batch(self, n: int) -> List[int]:
        """``n`` IDs (``n`` up to 2**24), increasing as the service issued them."""
    def ready(self) -> None:
        """Waits at most ``timeout_ms`` until the buffer holds IDs; spends none."""
    def stats(self) -> Dict[str, int]:
        """``batches_fetched``, ``fetch_failures``, ``waits``, ``last_fetch_us``,
        ``max_fetch_us``, ``total_fetch_us``, ``buffered`` (0/1)."""

class Segment:
    """Dense, strictly increasing IDs for one key from ranges of a counter in
    a store: ``file:///dir`` (default: ``SNOWID_SEGMENT_STORE``, else the
    state directory), ``postgres://...`` or ``redis://...``. One atomic
    increment per ID; the next range is fetched in the background.
    Thread-safe; use one per key per process."""

    def __init__(
        self,
        key: str,
        *,
        # BEGIN GENERATED options:pyi-segment (make options)
        store: Optional[str] = None,
        step: Optional[int] = None,
        min_step: Optional[int] = None,
        max_step: Optional[int] = None,
        prefetch_at: Optional[int] = None,
        range_ms: Optional[int] = None,
        allow_volatile_store: Optional[bool] = None,
        # END GENERATED options:pyi-segment
    ) -> None:
        """``key``: 1..128 characters of ``A-Z a-z 0-9 _ - .``;
        ``step``: IDs per range at first (default 1000), adapted within
        ``min_step``..``max_step`` so a range lasts about ``range_ms``
        (default 60000); ``prefetch_at``: percent of a range used before the
        next is fetched (default 10); ``allow_volatile_store``: accept a
        Redis that keeps nothing on disk (default False: refused)."""
    @property
    def key(self) -> str:
        """The key."""
    @property
    def store(self) -> str:
        """The store URL (password hidden)."""
    def next(self) -> int:
        """The next ID of the key, greater than every ID this segment issued."""
    def next_batch(self, n: int) -> List[int]:
        """``n`` strictly increasing IDs (``n`` up to 2**24)."""
    def stats(self) -> Dict[str, int]:
        """``ranges_fetched``, ``fetch_failures``, ``last_fetch_us``,
        ``max_fetch_us``, ``total_fetch_us``, ``waits``, ``step``,
        ``current_start``, ``current_end``, ``buffered`` (0/1)."""

@final
class PublicIds:
    """A keyed, reversible permutation of 64-bit IDs for showing to the
    public: ``encode(id)`` gives 16 Crockford base32 characters that hide
    the ID's time, node and volume; only the same key (and context) decodes
    them. FF1 (NIST SP 800-38G) over AES; a mistyped text or another key
    fails a 16-bit check (``PublicIdCheckError``) instead of giving another
    ID. Thread-safe and immutable."""

    def __init__(self, key: Union[bytes, bytearray, str], *, context: Optional[str] = "") -> None:
        """``key``: 16, 24 or 32 bytes (AES-128/192/256), or as many bytes
        in hex digits (``PublicIdKeyError`` otherwise); ``context``: at most
        64 bytes of UTF-8; two contexts under one key give unrelated IDs."""
    def encode(self, id: int) -> str:
        """The public ID of ``id`` (an int ``0..2**64-1``): 16 characters."""
    def decode(self, text: str) -> int:
        """The ID behind a public ID (any case; ``I``/``L`` read as 1,
        ``O`` as 0): ``ParseLengthError``, ``ParseCharacterError``, or
        ``PublicIdCheckError`` when it is mistyped or made with another key
        or context."""
    @property
    def context(self) -> str:
        """The context the IDs are made in (``''`` by default)."""

@final
class Stats:
    """A generator's counters (a snapshot)."""

    @property
    def issued(self) -> int:
        """IDs issued."""
    @property
    def overflow_waits(self) -> int:
        """Times a call found its tick's sequence spent and waited."""
    @property
    def clock_regressions(self) -> int:
        """Calls that found the clock behind the last issued tick."""
    @property
    def largest_regression_ms(self) -> int:
        """Largest such regression, in ms."""
    @property
    def borrowed_ticks(self) -> int:
        """Ticks issued ahead of the clock."""
    @property
    def skew_ms(self) -> int:
        """Wall clock minus the generator's clock, in ms, when ``stats()`` was
        called (positive: the wall clock is ahead; 0 on a ManualClock). Alert
        when ``abs(skew_ms) > 100``: NTP moved the wall clock away from the
        generator's timeline; IDs stay unique and ordered, but their
        timestamps drift from wall time."""
    @property
    def runway_s(self) -> int:
        """Seconds from the generator's clock to the layout's last timestamp
        (0 once there: every call then fails). Alert a year ahead."""
    @property
    def nodes_total(self) -> int:
        """Node identities in the layout's ID space."""
    @property
    def nodes_in_use(self) -> int:
        """Node numbers this generator holds (one per lane)."""
    @property
    def nodes_free(self) -> int:
        """``nodes_total - nodes_in_use``; across a fleet alert on
        ``nodes_total - sum(nodes_in_use)``."""
    @property
    def lease_ttl_left_ms(self) -> Optional[int]:
        """Milliseconds before the node-number lease's deadline (the lowest of
        the lanes); ``None`` when the node numbers are not leased."""
    def to_dict(self) -> Dict[str, Optional[int]]:
        """The counters as a dict."""

@final
class ManualClock:
    """A clock that moves only when told to (for deterministic tests)."""

    def __init__(self, start: _Instant) -> None:
        """A clock reading ``start`` (int ms since the Unix epoch, or an
        aware datetime)."""
    @property
    def now_ms(self) -> int:
        """The current reading, in ms since the Unix epoch."""
    def set(self, when: _Instant) -> None:
        """Sets the time; it may go backwards."""
    def advance(self, ms: int) -> None:
        """Moves the time by ``ms`` (backwards if negative; stops at 0)."""

def encode_wide(id: int, encoding: str) -> str:
    """A wide ID as text: ``"decimal"``, ``"hex"`` (32 digits), ``"base32"``
    (26 Crockford digits) or ``"base62"`` (22 digits); the fixed widths sort
    like the numbers."""

def decode_str_wide(text: str, encoding: str) -> int:
    """Parses text made by ``encode_wide(id, encoding)`` back into the ID."""

@final
class WideLayout:
    """A layout of up to 128 bits: a preset (``"wide128"``: 64-bit Unix ms |
    16 datacenter | 32 worker | 16 sequence; ``"jssafe"``: 53 bits, every
    ID <= 2**53 - 1) or fields ``"timestamp:48|region:8|host:24|sequence:16"``
    with ``width`` (default 128; 53 for a JS-safe layout) and ``tick_ms``."""

    def __init__(
        self,
        layout: Optional[str] = None,
        *,
        # BEGIN GENERATED options:pyi-wide-layout (make options)
        width: Optional[int] = None,
        tick_ms: Optional[int] = None,
        epoch: Optional[_Instant] = None,
        # END GENERATED options:pyi-wide-layout
    ) -> None: ...
    @property
    def name(self) -> str:
        """The layout's name (``"custom"`` for fields)."""
    @property
    def width(self) -> int:
        """Width of every ID in bits."""
    @property
    def js_safe(self) -> bool:
        """Whether every ID is at most 2**53 - 1."""
    @property
    def epoch_ms(self) -> int:
        """Epoch in ms since the Unix epoch."""
    @property
    def tick_ms(self) -> int:
        """Tick length in ms."""
    @property
    def max_id(self) -> int:
        """Largest ID: ``2 ** width - 1``."""
    @property
    def fields(self) -> List[Tuple[str, int, str]]:
        """``(name, bits, kind)`` of every field, most significant first."""
    @property
    def node_names(self) -> List[str]:
        """The node fields' names."""
    def decode(self, id: int) -> WideParts:
        """Splits an ID into its fields."""
    def compose(self, timestamp: _Instant, sequence: Optional[int] = None, **nodes: int) -> int:
        """Builds an ID from its fields."""
    def min_id_at(self, ms: _Instant) -> int:
        """Smallest ID of the tick holding ``ms``."""
    def max_id_at(self, ms: _Instant) -> int:
        """Largest ID of the tick holding ``ms``."""
    def capacity(self) -> Dict[str, int]:
        """``lifespan_ms``, ``end_ms``, ``issue_end_ms``, ``ids_per_tick``,
        ``ids_per_second_per_node``, ``nodes``."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class WideParts:
    """The fields of a wide ID."""

    @property
    def id(self) -> int:
        """The ID."""
    @property
    def timestamp_ms(self) -> int:
        """Start of the ID's tick, ms since the Unix epoch."""
    @property
    def tick(self) -> int:
        """The raw time field."""
    @property
    def sequence(self) -> int:
        """The sequence field."""
    @property
    def nodes(self) -> Dict[str, int]:
        """Node fields by name."""

@final
class WideGenerator:
    """A lock-free generator of wide IDs for one node; the options of
    ``Generator`` (node sources, slot locks, high-water mark) with a wide
    layout."""

    def __init__(
        self,
        *,
        # BEGIN GENERATED options:pyi-wide (make options)
        layout: Optional[str] = None,
        width: Optional[int] = None,
        tick_ms: Optional[int] = None,
        epoch: Optional[_Instant] = None,
        clock: Optional[_Clock] = None,
        on_regression: Optional[str] = None,
        max_wait_ms: Optional[int] = None,
        max_borrow_ticks: Optional[int] = None,
        node_source: Optional[str] = None,
        state_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
        protect: Optional[bool] = None,
        persist: Optional[bool] = None,
        window_ms: Optional[int] = None,
        random_sequence_start: Optional[bool] = None,
        # END GENERATED options:pyi-wide
        **node_fields: int,
    ) -> None: ...
    def next(self) -> int:
        """Issues one ID, greater than every ID this generator issued before."""
    def next_uuid(self) -> _uuid.UUID:
        """A ``uuid.UUID`` (version 7) from a generator of layout ``"uuid7"``."""
    def next_ulid(self) -> str:
        """A ULID ``str`` from a generator of layout ``"ulid"``."""
    def next_batch(self, n: int) -> List[int]:
        """``n`` consecutive IDs."""
    @property
    def layout(self) -> WideLayout:
        """The layout."""
    @property
    def source(self) -> str:
        """Where the node numbers came from."""
    @property
    def nodes(self) -> Dict[str, int]:
        """Node values by name."""
    def stats(self) -> Stats:
        """The counters."""

def uuid7() -> _uuid.UUID:
    """A UUID version 7 (RFC 9562) from the module's default ``uuid7``
    generator (created on first use from the ``SNOWID_*`` environment or a
    machine-local slot): unique by construction (node numbers in
    ``rand_b``), greater than every UUID this process made before."""

def ulid() -> str:
    """A ULID (26 characters of Crockford base32) from the module's default
    ``ulid`` generator: unique by construction, sorted like issue order."""

def encode_uuid(id: int) -> str:
    """The canonical text of a 128-bit ID, ``8-4-4-4-12`` lower-case hex."""

def parse_uuid(text: str) -> int:
    """A UUID's canonical text (either case) as an ``int``; braces,
    ``urn:uuid:`` and the 32 digits without hyphens raise ``ParseError``s."""

def encode_ulid(id: int) -> str:
    """A 128-bit ID as a ULID: 26 characters of Crockford base32."""

def parse_ulid(text: str) -> int:
    """A ULID's text as an ``int``: case-insensitive, ``I``/``L`` read as 1
    and ``O`` as 0; a first character above ``7`` raises
    ``InvalidSettingError``."""
