//! The one error type of snowid.
//!
//! Every variant carries the numbers that explain it, and has a stable
//! [`Error::code`] string and [`Error::number`] that the bindings expose
//! unchanged (Python `SnowidError.code`, Node `err.code` with a `SNOWID_`
//! prefix, C `snowid_status`). Codes and numbers are never reused or renumbered.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What sort of fault an error is; bindings pick their host's idiomatic
/// exception class from it (Python `ValueError` / `RuntimeError`, JS
/// `RangeError` / `Error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller passed something invalid (a layout, a value, a string).
    InvalidInput,
    /// The clock or the node's identity does not allow issuing an ID now.
    Unavailable,
}

impl ErrorKind {
    /// Stable lowercase name (`"invalid_input"`, `"unavailable"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Unavailable => "unavailable",
        }
    }
}

/// Which kind of field a layout problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// The time field: ticks since the layout's epoch.
    Timestamp,
    /// A node field (datacenter, worker, shard, machine...).
    Node,
    /// The per-tick sequence (Discord calls it `increment`).
    Sequence,
    /// Bits that are the same in every ID (a UUID's version and variant).
    Constant,
    /// Bits drawn at random for each ID (a UUIDv7's or ULID's rest).
    Random,
}

impl FieldKind {
    /// Stable lowercase name (`"timestamp"`, `"node"`, `"sequence"`).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Timestamp => "timestamp",
            FieldKind::Node => "node",
            FieldKind::Sequence => "sequence",
            FieldKind::Constant => "constant",
            FieldKind::Random => "random",
        }
    }
}

impl FieldKind {
    /// The kind named `name` (`timestamp`, `node`, `sequence`), or
    /// [`Error::InvalidSetting`].
    pub fn from_name(name: &str) -> Result<FieldKind> {
        match name {
            "timestamp" => Ok(FieldKind::Timestamp),
            "node" => Ok(FieldKind::Node),
            "sequence" => Ok(FieldKind::Sequence),
            _ => Err(Error::InvalidSetting {
                setting: "field kind".into(),
                value: name.to_owned(),
                expected: "\"timestamp\", \"node\" or \"sequence\"".into(),
            }),
        }
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure snowid can report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- layouts (1..) ----
    /// The field widths do not fill the ID.
    #[error("layout fields sum to {got} bits; they must sum to {expected} ({reason})")]
    LayoutBitsSum {
        got: u32,
        expected: u32,
        reason: &'static str,
    },
    /// A field is too narrow or too wide.
    #[error("{kind} field `{field}` is {bits} bits wide; valid range is {min}..={max}")]
    FieldWidth {
        field: String,
        kind: FieldKind,
        bits: u32,
        min: u32,
        max: u32,
    },
    /// A field name is empty, too long or has characters outside `[a-z0-9_]`.
    #[error("field name {name:?} is invalid: {reason}")]
    FieldName { name: String, reason: &'static str },
    /// Two fields share a name.
    #[error("field name `{name}` appears more than once in the layout")]
    DuplicateField { name: String },
    /// Wrong number of fields of one kind.
    #[error("layout has {got} {kind} field(s); it needs {min}..={max}")]
    FieldCount {
        kind: FieldKind,
        got: u32,
        min: u32,
        max: u32,
    },
    /// The tick length is outside the supported range.
    #[error("tick of {tick_ms} ms is out of range; valid range is {min}..={max} ms")]
    TickOutOfRange { tick_ms: u64, min: u64, max: u64 },
    /// The epoch lies after the current time.
    #[error("epoch {epoch_ms} ms is in the future (now is {now_ms} ms since the Unix epoch)")]
    EpochInFuture { epoch_ms: u64, now_ms: u64 },
    /// No preset has that name.
    #[error("unknown layout {name:?}; presets are twitter, discord, instagram, sonyflake")]
    UnknownLayout { name: String },

    // ---- values (10..) ----
    /// A field value does not fit its width.
    #[error("{field} = {got} is out of range; valid range is 0..={max}")]
    FieldOutOfRange {
        field: String,
        /// The value as given (decimal; may be negative or beyond 64 bits).
        got: String,
        max: u64,
    },
    /// A field name that the layout does not have.
    #[error("layout `{layout}` has no field `{field}`; its node fields are: {expected}")]
    UnknownField {
        field: String,
        layout: String,
        expected: String,
    },
    /// A node field was not given a value.
    #[error("node field `{field}` of layout `{layout}` needs a value (0..={max})")]
    MissingField {
        field: String,
        layout: String,
        max: u64,
    },
    /// The number cannot be an ID of this layout (the reserved sign bit is set).
    #[error("id {id} cannot belong to layout `{layout}`; valid range is 0..={max}")]
    IdOutOfRange { id: u64, layout: String, max: u64 },
    /// A time outside the layout's lifespan.
    #[error("time {ms} ms is outside layout `{layout}`: valid range is {min_ms}..={max_ms} ms since the Unix epoch")]
    TimestampOutOfRange {
        ms: i128,
        layout: String,
        min_ms: u64,
        max_ms: u64,
    },
    /// A configuration setting (environment variable, option) has a bad value.
    #[error("setting {setting} = {value:?} is invalid; expected {expected}")]
    InvalidSetting {
        setting: String,
        value: String,
        expected: String,
    },
    /// An argument of the wrong type (a string where a number is due, a
    /// fractional number, a list...).
    #[error("{name} must be {expected}, not {got}")]
    WrongType {
        name: String,
        expected: String,
        got: String,
    },

    // ---- clock (20..) ----
    /// The clock is behind the last tick this generator issued, by more than
    /// the policy allows.
    #[error("clock moved backwards: last issued time {last_ms} ms, clock now {now_ms} ms ({} ms behind)", last_ms.saturating_sub(*now_ms))]
    ClockMovedBackwards { last_ms: u64, now_ms: u64 },
    /// The clock reads a time before the layout's epoch.
    #[error("clock reads {now_ms} ms, before the layout's epoch {epoch_ms} ms")]
    ClockBeforeEpoch { now_ms: u64, epoch_ms: u64 },
    /// The layout's timestamp field has run out.
    #[error("layout's time field is exhausted: it ends at {end_ms} ms, the clock needs tick {needed_ms} ms")]
    TimeExhausted { end_ms: u64, needed_ms: u64 },
    /// Every sequence number of the current tick is used and the clock cannot
    /// be waited on (a manual clock): move the clock or allow borrowing.
    #[error("all {per_tick} sequence numbers of tick {tick_ms} ms are used and the manual clock does not advance by itself")]
    SequenceExhausted { tick_ms: u64, per_tick: u64 },

    /// The generator was created before a `fork()`; the child holds a copy of
    /// the parent's state and node numbers, so issuing would collide.
    #[error("this generator was created before fork() (fork generation {created}, now {now}); create a new generator in the child process with its own node numbers (use the local node source, or set SNOWID_WORKER_ID per process)")]
    Forked { created: u64, now: u64 },

    // ---- encodings (30..) ----
    /// An empty string where an encoded ID was expected.
    #[error("cannot parse an empty string as {encoding}")]
    ParseEmpty { encoding: &'static str },
    /// The string has the wrong length for the encoding.
    #[error("{encoding} id must be {min}..={max} characters long; got {got}")]
    ParseLength {
        encoding: &'static str,
        got: u64,
        min: u64,
        max: u64,
    },
    /// A character outside the encoding's alphabet.
    #[error("invalid {encoding} character {character:?} at position {position}")]
    ParseCharacter {
        encoding: &'static str,
        character: char,
        position: u64,
    },
    /// The string encodes a number above 2^64 - 1.
    #[error("{encoding} string {input:?} encodes a number above the 64-bit maximum {max}")]
    ParseOverflow {
        encoding: &'static str,
        input: String,
        max: u64,
    },
    /// No encoding has that name.
    #[error("unknown encoding {name:?}; encodings are decimal, hex, base32, base62")]
    UnknownEncoding { name: String },

    // ---- node identity and persistence (50..) ----
    /// Every node number of the layout is claimed by another live process
    /// (`wanted` 1, `free` 0), or a generator of `wanted` lanes found only
    /// `free` free numbers.
    #[error("{}", no_free_slot_message(*slots, dir, *wanted, *free))]
    NoFreeSlot {
        slots: u64,
        dir: String,
        wanted: u64,
        free: u64,
    },
    /// The persisted high-water mark is ahead of the clock by more than the
    /// generator may wait.
    #[error("clock is behind the persisted high-water mark: mark {mark_ms} ms, clock now {now_ms} ms ({} ms behind, may wait {max_wait_ms} ms)", mark_ms.saturating_sub(*now_ms))]
    BehindHighWater {
        mark_ms: u64,
        now_ms: u64,
        max_wait_ms: u64,
    },
    /// A state file could not be read or written.
    #[error("state file {path}: {reason}")]
    StateIo { path: String, reason: String },
    /// A state file exists but its content is not a valid mark.
    #[error("state file {path} is corrupt ({reason}); refusing to guess a high-water mark: remove it only if no ID was issued with these node numbers after {hint}")]
    StateCorrupt {
        path: String,
        reason: String,
        hint: String,
    },
    /// The node numbers are locked by another live process on this machine.
    #[error("{}", node_in_use_message(nodes, path, *this_process))]
    NodeInUse {
        nodes: String,
        path: String,
        /// The holder is a generator of this very process (one not dropped
        /// yet: `shutdown()` lowers its mark but it keeps its numbers).
        this_process: bool,
    },
    /// The lease on the node numbers was not confirmed recently enough to be
    /// sure no other process holds them: the generator refuses to issue until
    /// a renewal succeeds again.
    #[error("lease on worker number {worker} is not confirmed: trusted until {deadline_ms} ms, clock now {now_ms} ms ({} ms past); refusing to issue until a renewal reaches the coordination service", now_ms.saturating_sub(*deadline_ms))]
    LeaseLost {
        worker: u64,
        deadline_ms: u64,
        now_ms: u64,
    },
    /// The leased node numbers are gone for good (the lease expired on the
    /// server, or another holder claimed them): this generator never issues
    /// again; build a new one to claim a free number.
    #[error("worker number {worker} ({key}) is no longer held by this generator: {reason}; it will not issue again, build a new generator to claim a free number")]
    LeaseTaken {
        worker: u64,
        key: String,
        reason: String,
    },
    /// The coordination service (etcd, Redis) could not be reached or
    /// answered with an error.
    #[error("{service} at {endpoint}: {reason}")]
    CoordinationUnavailable {
        service: String,
        endpoint: String,
        reason: String,
    },
    /// Nothing configures the node numbers and the environment says this
    /// process is one of several replicas (Kubernetes, AWS Lambda, Cloud
    /// Run), where machine-local slots would repeat on every replica.
    #[error("no node source is configured and this process runs in {environment}, where every replica would take the same machine-local node numbers; choose a source that is unique across replicas: {safe} (or SNOWID_NODE_SOURCE=local to accept machine-local slots)")]
    NodeSourceRequired { environment: String, safe: String },

    // ---- segment mode (80..) ----
    /// A segment key is empty, too long, or has characters outside
    /// `[A-Za-z0-9_.-]` (or starts with `.`).
    #[error("segment key {key:?} is invalid: {reason}")]
    SegmentKey { key: String, reason: String },
    /// A segment store URL cannot be used.
    #[error("segment store {url:?} is invalid: {reason}")]
    SegmentStoreUrl { url: String, reason: String },
    /// The key's counter would pass the largest ID (2^63 - 1, a signed BIGINT).
    #[error("segment key {key:?} in {store} is exhausted: its counter is at {max_id}, taking {step} more would pass {limit}")]
    SegmentExhausted {
        key: String,
        store: String,
        max_id: u64,
        step: u64,
        limit: u64,
    },
    /// Both buffered ranges are spent and the store could not give a new one.
    #[error("segment key {key:?}: no ID left in the buffered ranges and {store} gave no new range: {reason}")]
    SegmentStoreUnavailable {
        key: String,
        store: String,
        reason: String,
    },

    // ---- public IDs (90..) ----
    /// A public ID key of the wrong length (`got`: "15 bytes", "31 hex digits").
    #[error("public id key is {got}; it must be 16, 24 or 32 bytes (32, 48 or 64 hex digits): an AES-128, AES-192 or AES-256 key")]
    PublicIdKey { got: String },
    /// A well-formed public ID that fails its check: mistyped, or made under
    /// another key or context.
    #[error(
        "public id {text:?} fails its check: it was mistyped, or made with another key or context"
    )]
    PublicIdCheck { text: String },
    // ---- remote generator (92..) ----
    /// The ID service gave no batch: refused or dropped connections, 5xx
    /// answers or answers cut short until the wait ran out, or an answer
    /// no retry can change (a 4xx other than 401, a malformed body).
    #[error("ID service {url}: {reason}")]
    RemoteUnavailable {
        /// The service's URL (no token).
        url: String,
        /// What the last attempt got.
        reason: String,
    },
    /// No ID within `timeout_ms`: the service accepted but did not answer
    /// in time (stalled, overloaded).
    #[error("ID service {url} gave no IDs within {waited_ms} ms: {reason}")]
    RemoteTimeout {
        /// The service's URL (no token).
        url: String,
        /// How long the caller waited.
        waited_ms: u64,
        /// What the last attempt got.
        reason: String,
    },
    /// The ID service refused the bearer token (HTTP 401): none was given,
    /// or not the service's.
    #[error("ID service {url} refused the request: {reason}")]
    Unauthorized {
        /// The service's URL (no token).
        url: String,
        /// The service's message (the token is never shown).
        reason: String,
    },
}

/// [`Error::NoFreeSlot`]'s message: what was asked and what was free.
fn no_free_slot_message(slots: u64, dir: &str, wanted: u64, free: u64) -> String {
    if wanted <= 1 {
        format!("no free node number: all {slots} slots under {dir} are held by live processes")
    } else {
        format!(
            "not enough free node numbers: {wanted} lanes asked for {wanted} node numbers and only {free} of the {slots} slots under {dir} were free (the others are held by live processes)"
        )
    }
}

impl Error {
    /// Stable upper-case code, e.g. `"FIELD_OUT_OF_RANGE"`.
    pub fn code(&self) -> &'static str {
        self.info().0
    }

    /// Stable number of the code (C status values use it).
    pub fn number(&self) -> u32 {
        self.info().1
    }

    /// Whether this is bad input or a temporary inability to issue IDs.
    pub fn kind(&self) -> ErrorKind {
        let n = self.number();
        if n == 80 || n == 81 || n == 90 || n == 91 {
            ErrorKind::InvalidInput
        } else if (20..30).contains(&n) || n >= 50 {
            ErrorKind::Unavailable
        } else {
            ErrorKind::InvalidInput
        }
    }

    fn info(&self) -> (&'static str, u32) {
        use Error::*;
        match self {
            LayoutBitsSum { .. } => ("LAYOUT_BITS_SUM", 1),
            FieldWidth { .. } => ("FIELD_WIDTH", 2),
            FieldName { .. } => ("FIELD_NAME", 3),
            DuplicateField { .. } => ("DUPLICATE_FIELD", 4),
            FieldCount { .. } => ("FIELD_COUNT", 5),
            TickOutOfRange { .. } => ("TICK_OUT_OF_RANGE", 6),
            EpochInFuture { .. } => ("EPOCH_IN_FUTURE", 7),
            UnknownLayout { .. } => ("UNKNOWN_LAYOUT", 8),
            FieldOutOfRange { .. } => ("FIELD_OUT_OF_RANGE", 10),
            UnknownField { .. } => ("UNKNOWN_FIELD", 11),
            MissingField { .. } => ("MISSING_FIELD", 12),
            IdOutOfRange { .. } => ("ID_OUT_OF_RANGE", 13),
            TimestampOutOfRange { .. } => ("TIMESTAMP_OUT_OF_RANGE", 14),
            InvalidSetting { .. } => ("INVALID_SETTING", 15),
            WrongType { .. } => ("WRONG_TYPE", 16),
            ClockMovedBackwards { .. } => ("CLOCK_MOVED_BACKWARDS", 20),
            ClockBeforeEpoch { .. } => ("CLOCK_BEFORE_EPOCH", 21),
            TimeExhausted { .. } => ("TIME_EXHAUSTED", 22),
            SequenceExhausted { .. } => ("SEQUENCE_EXHAUSTED", 23),
            Forked { .. } => ("FORKED", 24),
            ParseEmpty { .. } => ("PARSE_EMPTY", 30),
            ParseLength { .. } => ("PARSE_LENGTH", 31),
            ParseCharacter { .. } => ("PARSE_CHARACTER", 32),
            ParseOverflow { .. } => ("PARSE_OVERFLOW", 33),
            UnknownEncoding { .. } => ("UNKNOWN_ENCODING", 34),
            NoFreeSlot { .. } => ("NO_FREE_SLOT", 50),
            BehindHighWater { .. } => ("BEHIND_HIGH_WATER", 51),
            StateIo { .. } => ("STATE_IO", 52),
            StateCorrupt { .. } => ("STATE_CORRUPT", 53),
            NodeInUse { .. } => ("NODE_IN_USE", 54),
            LeaseLost { .. } => ("LEASE_LOST", 55),
            LeaseTaken { .. } => ("LEASE_TAKEN", 56),
            CoordinationUnavailable { .. } => ("COORDINATION_UNAVAILABLE", 57),
            NodeSourceRequired { .. } => ("NODE_SOURCE_REQUIRED", 58),
            SegmentKey { .. } => ("SEGMENT_KEY", 80),
            SegmentStoreUrl { .. } => ("SEGMENT_STORE_URL", 81),
            SegmentExhausted { .. } => ("SEGMENT_EXHAUSTED", 82),
            SegmentStoreUnavailable { .. } => ("SEGMENT_STORE_UNAVAILABLE", 83),
            PublicIdKey { .. } => ("PUBLIC_ID_KEY", 90),
            PublicIdCheck { .. } => ("PUBLIC_ID_CHECK", 91),
            RemoteUnavailable { .. } => ("REMOTE_UNAVAILABLE", 92),
            RemoteTimeout { .. } => ("REMOTE_TIMEOUT", 93),
            Unauthorized { .. } => ("UNAUTHORIZED", 94),
        }
    }
}

fn node_in_use_message(nodes: &str, path: &str, this_process: bool) -> String {
    if this_process {
        format!("node numbers {nodes} are held by another generator of this process (lock {path}): a generator keeps its numbers until it is dropped or closed (shutdown() lowers its mark, it does not give them up); drop it first, or give this one other numbers")
    } else {
        format!("node numbers {nodes} are in use by another live process on this machine (lock {path}); give each process its own numbers or use SNOWID_NODE_SOURCE=local")
    }
}

/// The codes that say the call itself was malformed rather than a value out
/// of range: an argument of the wrong type, an option or field the call does
/// not take, a field it needs and did not get. Hosts with a type-error class
/// raise these as it (Python and JavaScript `TypeError`, like a bad keyword
/// argument); every other `InvalidInput` code is a value error (`ValueError`,
/// `RangeError`). The vectors' `errors` section marks them `type_error`.
pub const TYPE_ERROR_CODES: &[&str] = &["UNKNOWN_FIELD", "MISSING_FIELD", "WRONG_TYPE"];

/// Every error code with its number and kind, in number order. Bindings use it
/// to build their exception classes and status enums; the vectors list it too.
pub const ERROR_CODES: &[(&str, u32, ErrorKind)] = &[
    ("LAYOUT_BITS_SUM", 1, ErrorKind::InvalidInput),
    ("FIELD_WIDTH", 2, ErrorKind::InvalidInput),
    ("FIELD_NAME", 3, ErrorKind::InvalidInput),
    ("DUPLICATE_FIELD", 4, ErrorKind::InvalidInput),
    ("FIELD_COUNT", 5, ErrorKind::InvalidInput),
    ("TICK_OUT_OF_RANGE", 6, ErrorKind::InvalidInput),
    ("EPOCH_IN_FUTURE", 7, ErrorKind::InvalidInput),
    ("UNKNOWN_LAYOUT", 8, ErrorKind::InvalidInput),
    ("FIELD_OUT_OF_RANGE", 10, ErrorKind::InvalidInput),
    ("UNKNOWN_FIELD", 11, ErrorKind::InvalidInput),
    ("MISSING_FIELD", 12, ErrorKind::InvalidInput),
    ("ID_OUT_OF_RANGE", 13, ErrorKind::InvalidInput),
    ("TIMESTAMP_OUT_OF_RANGE", 14, ErrorKind::InvalidInput),
    ("INVALID_SETTING", 15, ErrorKind::InvalidInput),
    ("WRONG_TYPE", 16, ErrorKind::InvalidInput),
    ("CLOCK_MOVED_BACKWARDS", 20, ErrorKind::Unavailable),
    ("CLOCK_BEFORE_EPOCH", 21, ErrorKind::Unavailable),
    ("TIME_EXHAUSTED", 22, ErrorKind::Unavailable),
    ("SEQUENCE_EXHAUSTED", 23, ErrorKind::Unavailable),
    ("FORKED", 24, ErrorKind::Unavailable),
    ("PARSE_EMPTY", 30, ErrorKind::InvalidInput),
    ("PARSE_LENGTH", 31, ErrorKind::InvalidInput),
    ("PARSE_CHARACTER", 32, ErrorKind::InvalidInput),
    ("PARSE_OVERFLOW", 33, ErrorKind::InvalidInput),
    ("UNKNOWN_ENCODING", 34, ErrorKind::InvalidInput),
    ("NO_FREE_SLOT", 50, ErrorKind::Unavailable),
    ("BEHIND_HIGH_WATER", 51, ErrorKind::Unavailable),
    ("STATE_IO", 52, ErrorKind::Unavailable),
    ("STATE_CORRUPT", 53, ErrorKind::Unavailable),
    ("NODE_IN_USE", 54, ErrorKind::Unavailable),
    ("LEASE_LOST", 55, ErrorKind::Unavailable),
    ("LEASE_TAKEN", 56, ErrorKind::Unavailable),
    ("COORDINATION_UNAVAILABLE", 57, ErrorKind::Unavailable),
    ("NODE_SOURCE_REQUIRED", 58, ErrorKind::Unavailable),
    ("SEGMENT_KEY", 80, ErrorKind::InvalidInput),
    ("SEGMENT_STORE_URL", 81, ErrorKind::InvalidInput),
    ("SEGMENT_EXHAUSTED", 82, ErrorKind::Unavailable),
    ("SEGMENT_STORE_UNAVAILABLE", 83, ErrorKind::Unavailable),
    ("PUBLIC_ID_KEY", 90, ErrorKind::InvalidInput),
    ("PUBLIC_ID_CHECK", 91, ErrorKind::InvalidInput),
    ("REMOTE_UNAVAILABLE", 92, ErrorKind::Unavailable),
    ("REMOTE_TIMEOUT", 93, ErrorKind::Unavailable),
    ("UNAUTHORIZED", 94, ErrorKind::Unavailable),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_table_matches_variants() {
        let samples = [
            Error::ParseEmpty { encoding: "hex" },
            Error::ClockMovedBackwards {
                last_ms: 10,
                now_ms: 4,
            },
            Error::NoFreeSlot {
                slots: 3,
                dir: "/x".into(),
                wanted: 1,
                free: 0,
            },
            Error::FieldOutOfRange {
                field: "worker".into(),
                got: "40".into(),
                max: 31,
            },
            Error::LeaseLost {
                worker: 3,
                deadline_ms: 100,
                now_ms: 130,
            },
            Error::LeaseTaken {
                worker: 3,
                key: "/snowid/x/workers/3".into(),
                reason: "held by another".into(),
            },
            Error::CoordinationUnavailable {
                service: "etcd".into(),
                endpoint: "127.0.0.1:1".into(),
                reason: "refused".into(),
            },
            Error::SegmentKey {
                key: "".into(),
                reason: "empty".into(),
            },
            Error::SegmentStoreUrl {
                url: "ftp://x".into(),
                reason: "unknown scheme".into(),
            },
            Error::SegmentExhausted {
                key: "k".into(),
                store: "file".into(),
                max_id: 1,
                step: 2,
                limit: 3,
            },
            Error::SegmentStoreUnavailable {
                key: "k".into(),
                store: "redis".into(),
                reason: "refused".into(),
            },
            Error::PublicIdKey {
                got: "15 bytes".into(),
            },
            Error::PublicIdCheck {
                text: "0000000000000000".into(),
            },
            Error::RemoteUnavailable {
                url: "http://127.0.0.1:1".into(),
                reason: "refused".into(),
            },
            Error::RemoteTimeout {
                url: "http://127.0.0.1:1".into(),
                waited_ms: 5,
                reason: "no answer".into(),
            },
            Error::Unauthorized {
                url: "http://127.0.0.1:1".into(),
                reason: "401".into(),
            },
        ];
        for e in samples {
            let row = ERROR_CODES
                .iter()
                .find(|r| r.0 == e.code())
                .expect("code listed");
            assert_eq!(row.1, e.number());
            assert_eq!(row.2, e.kind());
        }
        let mut numbers: Vec<u32> = ERROR_CODES.iter().map(|r| r.1).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), ERROR_CODES.len(), "numbers are unique");
    }

    #[test]
    fn messages_carry_the_numbers() {
        let e = Error::FieldOutOfRange {
            field: "worker".into(),
            got: "40".into(),
            max: 31,
        };
        assert_eq!(
            e.to_string(),
            "worker = 40 is out of range; valid range is 0..=31"
        );
        let e = Error::ClockMovedBackwards {
            last_ms: 1000,
            now_ms: 400,
        };
        assert!(e.to_string().contains("600 ms behind"), "{e}");
    }
}
