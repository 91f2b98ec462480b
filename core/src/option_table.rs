//! Every option of every snowid constructor, declared once.
//!
//! [`OPTIONS`] holds each option's name (and its lowerCamelCase spelling),
//! kind, range, default, environment variable, the targets it applies to
//! and its documentation. The lists that name options ([`OPTION_NAMES`],
//! [`SEGMENT_OPTION_NAMES`], [`WIDE_OPTION_NAMES`], and through them
//! [`crate::layout::RESERVED_NODE_NAMES`]) and the numeric limits are
//! derived from it at compile time. The bindings' restatements (Python
//! `text_signature` strings and `_native.pyi`, Node `ts_args_type` strings
//! and so `index.d.ts`, the C and Kotlin docs of the options object, the
//! option tables of `testdata/OPTIONS.md`) are written from it by
//! `make options` (`tools/optgen`), and `make lint` fails when one differs.
//!
//! The rules that judge the values (and the order of their errors) live in
//! [`crate::options`], [`crate::segment`] and [`crate::wide`]; this table
//! only says what exists. This module sits below all of them: it imports
//! nothing from the crate.

/// What values an option takes (each binding maps it to its host's type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A boolean (C and the environment: 1/0).
    Bool,
    /// An integer in `min..=max`.
    Int {
        /// Smallest value.
        min: u64,
        /// Largest value.
        max: u64,
    },
    /// One of these names, exactly.
    Choice(&'static [&'static str]),
    /// One of these names, or a `ManualClock` (tests).
    Clock(&'static [&'static str]),
    /// A preset name or a `Layout` (a wide layout: a preset or field list).
    Layout,
    /// An instant: ms since the Unix epoch, or a host date.
    Instant,
    /// A directory path.
    Path,
    /// A URL.
    Url,
    /// A string (a token, a key).
    Text,
}

/// The constructors an option applies to (bit flags, see [`Targets`]).
pub type Targets = u8;
/// `Generator(options)`.
pub const GENERATOR: Targets = 1;
/// The process default generator: `configure(options)` over the environment.
pub const DEFAULT: Targets = 2;
/// The ID service's generator (`snowid serve`).
pub const SERVICE: Targets = 4;
/// `Segment(key, options)`.
pub const SEGMENT: Targets = 8;
/// `WideGenerator(options)`.
pub const WIDE: Targets = 16;
/// `WideLayout(options)` (the layout options of a wide generator).
pub const WIDE_LAYOUT: Targets = 32;
/// `RemoteGenerator(url, options)`: IDs fetched from `snowid serve`.
pub const REMOTE: Targets = 64;
/// Every 64-bit generator: `Generator`, the default generator, the service.
const GENERATORS: Targets = GENERATOR | DEFAULT | SERVICE;
/// Read from the environment only, by the lease sources (`node_source` or
/// `SNOWID_NODE_SOURCE` = `etcd` / `redis`) of every 64-bit generator: no
/// constructor takes it as an argument.
pub const LEASE_ENV: Targets = 128;

/// Shortest lease time to live, in ms.
pub const MIN_LEASE_TTL_MS: u64 = 1000;
/// Longest lease time to live, in ms (1 hour).
pub const MAX_LEASE_TTL_MS: u64 = 3_600_000;

/// One option.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The name (`snake_case`), as Python, C, Kotlin and Rust spell it.
    pub name: &'static str,
    /// The lowerCamelCase name, as Node spells it.
    pub camel: &'static str,
    /// The values it takes.
    pub kind: Kind,
    /// The default, in words (`testdata/OPTIONS.md`'s default column).
    pub default: &'static str,
    /// The environment variable the default generator reads when the option
    /// is not given, if any.
    pub env: Option<&'static str>,
    /// The constructors it applies to.
    pub targets: Targets,
    /// What the value means, one line (`testdata/OPTIONS.md`'s values column
    /// and the bindings' docs).
    pub doc: &'static str,
    /// The errors a bad value gives, in words.
    pub errors: &'static str,
    /// The choices a wide generator accepts, where they are fewer.
    pub wide_choices: Option<&'static [&'static str]>,
}

impl OptionSpec {
    /// Whether it applies to `target` (one of the flags).
    pub const fn applies_to(&self, target: Targets) -> bool {
        self.targets & target != 0
    }
}

/// Longest regression wait an option may ask for (1 hour).
pub const MAX_WAIT_MS: u64 = 3_600_000;
/// Most ticks a generator may borrow ahead of the clock.
pub const MAX_BORROW_TICKS: u64 = 1_000_000;
/// Longest high-water window (1 hour).
pub const MAX_WINDOW_MS: u64 = 3_600_000;
/// Default regression wait and high-water window.
pub const DEFAULT_WAIT_MS: u64 = 1000;
/// Default high-water window.
pub const DEFAULT_WINDOW_MS: u64 = 1000;
/// Most lanes a generator may hold (fewer when the layout has fewer node
/// numbers).
pub const MAX_LANES: u32 = 1024;
/// Largest step (IDs per range) a segment option may ask for.
pub const MAX_STEP: u64 = 1_000_000_000;
/// Longest target lifetime of one segment range (1 day).
pub const MAX_RANGE_MS: u64 = 86_400_000;
/// Most IDs one request of a remote generator asks for (the service's
/// default `--max-batch`).
pub const MAX_REMOTE_BATCH: u64 = 65_536;
/// Longest wait of a remote generator (10 minutes).
pub const MAX_REMOTE_TIMEOUT_MS: u64 = 600_000;
/// Longest bearer token a remote generator sends, in bytes.
pub const MAX_TOKEN_LEN: usize = 4096;
/// Widest wide layout, in bits.
pub const MAX_WIDE_BITS: u64 = 128;
/// Longest tick of a wide layout (1 day).
pub const MAX_WIDE_TICK_MS: u64 = 86_400_000;

/// Names of the node sources (`node_source=`, `SNOWID_NODE_SOURCE`).
pub const NODE_SOURCES: &[&str] = &["explicit", "local", "env", "k8s", "etcd", "redis"];
/// The node sources a wide generator accepts (leases are not wired for wide
/// layouts yet).
pub const WIDE_NODE_SOURCES: &[&str] = &["explicit", "local", "env", "k8s"];
/// Names of the clocks an option may name.
pub const CLOCKS: &[&str] = &["cached", "monotonic"];
/// Names of the regression policies.
pub const REGRESSION_POLICIES: &[&str] = &["wait", "fail"];

/// Every option, each once: the generator options in the order they are
/// checked (the wide layout's own after `layout`, where a wide generator
/// reads them), then the segment's, in the order they are checked.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "layout",
        camel: "layout",
        kind: Kind::Layout,
        default: "`twitter`",
        env: Some("SNOWID_LAYOUT"),
        targets: GENERATORS | WIDE | WIDE_LAYOUT,
        doc: "preset name (exact: `twitter`, `discord`, `instagram`, `sonyflake`) or a `Layout`",
        errors: "unknown name `UNKNOWN_LAYOUT`; other type `WRONG_TYPE`",
        wide_choices: None,
    },
    OptionSpec {
        name: "width",
        camel: "width",
        kind: Kind::Int {
            min: 1,
            max: MAX_WIDE_BITS,
        },
        default: "128",
        env: None,
        targets: WIDE | WIDE_LAYOUT,
        doc: "integer 1..=128: the ID's width; the fields fill it exactly (53 for a custom JS-safe layout)",
        errors: "out of range `INVALID_SETTING`; given with a preset `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "tick_ms",
        camel: "tickMs",
        kind: Kind::Int {
            min: 1,
            max: MAX_WIDE_TICK_MS,
        },
        default: "1",
        env: None,
        targets: WIDE | WIDE_LAYOUT,
        doc: "integer 1..=86400000",
        errors: "out of range `INVALID_SETTING`; given with a preset `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "epoch",
        camel: "epoch",
        kind: Kind::Instant,
        default: "the layout's",
        env: None,
        targets: GENERATORS | WIDE | WIDE_LAYOUT,
        doc: "integer ms since the Unix epoch, >= 0, not in the future",
        errors: "negative `INVALID_SETTING`; future `EPOCH_IN_FUTURE`",
        wide_choices: None,
    },
    OptionSpec {
        name: "clock",
        camel: "clock",
        kind: Kind::Clock(CLOCKS),
        default: "`\"cached\"`",
        env: Some("SNOWID_CLOCK"),
        targets: GENERATORS | WIDE,
        doc: "`\"cached\"`, `\"monotonic\"`, a `ManualClock`",
        errors: "other string `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "on_regression",
        camel: "onRegression",
        kind: Kind::Choice(REGRESSION_POLICIES),
        default: "`\"wait\"`",
        env: None,
        targets: GENERATORS | WIDE,
        doc: "`\"wait\"`, `\"fail\"`",
        errors: "other string `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "max_wait_ms",
        camel: "maxWaitMs",
        kind: Kind::Int {
            min: 0,
            max: MAX_WAIT_MS,
        },
        default: "1000 (only with `wait`)",
        env: None,
        targets: GENERATORS | WIDE,
        doc: "integer 0..=3600000",
        errors: "out of range `INVALID_SETTING`; given with `on_regression=\"fail\"`: `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "max_borrow_ticks",
        camel: "maxBorrowTicks",
        kind: Kind::Int {
            min: 0,
            max: MAX_BORROW_TICKS,
        },
        default: "0",
        env: None,
        targets: GENERATORS | WIDE,
        doc: "integer 0..=1000000",
        errors: "out of range `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "node_source",
        camel: "nodeSource",
        kind: Kind::Choice(NODE_SOURCES),
        default: "`explicit` when node fields are given",
        env: Some("SNOWID_NODE_SOURCE"),
        targets: GENERATORS | WIDE,
        doc: "`\"explicit\"`, `\"local\"`, `\"env\"`, `\"k8s\"`, `\"etcd\"`, `\"redis\"`",
        errors: "other string `INVALID_SETTING`; a source other than `explicit` together with node fields `INVALID_SETTING`; `etcd`/`redis` in a build without that feature `INVALID_SETTING`",
        wide_choices: Some(WIDE_NODE_SOURCES),
    },
    OptionSpec {
        name: "state_dir",
        camel: "stateDir",
        kind: Kind::Path,
        default: "`SNOWID_STATE_DIR`, else the per-user directory",
        env: Some("SNOWID_STATE_DIR"),
        targets: GENERATORS | WIDE,
        doc: "non-empty path",
        errors: "empty `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "protect",
        camel: "protect",
        kind: Kind::Bool,
        default: "`true`; `false` with a `ManualClock`",
        env: None,
        targets: GENERATORS | WIDE,
        doc: "bool: lock the node numbers on this machine and keep a high-water mark",
        errors: "`true` with a `ManualClock` `INVALID_SETTING`; `false` with a `node_source` other than `explicit` `INVALID_SETTING`; a `ManualClock` with a `node_source` other than `explicit` `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "persist",
        camel: "persist",
        kind: Kind::Bool,
        default: "`true` when protected",
        env: Some("SNOWID_PERSIST"),
        targets: GENERATORS | WIDE,
        doc: "bool: keep the high-water mark (needs `protect`)",
        errors: "`true` with `protect=false` `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "window_ms",
        camel: "windowMs",
        kind: Kind::Int {
            min: 1,
            max: MAX_WINDOW_MS,
        },
        default: "1000",
        env: Some("SNOWID_WINDOW_MS"),
        targets: GENERATORS | WIDE,
        doc: "integer 1..=3600000",
        errors: "out of range `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "random_sequence_start",
        camel: "randomSequenceStart",
        kind: Kind::Bool,
        default: "`false`",
        env: None,
        targets: GENERATORS | WIDE,
        doc: "bool: each tick entered from the clock starts its sequence at a pseudo-random offset in `0..2^min(sequence bits - 1, 8)` (a hash of the tick and the node), so `id % shards` spreads at low rates; a tick entered by carry starts at 0",
        errors: "as `protect`",
        wide_choices: None,
    },
    OptionSpec {
        name: "lanes",
        camel: "lanes",
        kind: Kind::Int {
            min: 1,
            max: MAX_LANES as u64,
        },
        default: "1",
        env: None,
        targets: GENERATORS,
        doc: "integer 1..=min(nodes of the layout, 1024): node numbers the generator holds, one per lane (`snowid::lanes`); a fixed number n (node fields, `env`, `k8s`) is a block index: lane i holds n x lanes + i (see \"Lanes and fixed numbers\")",
        errors: "out of range `INVALID_SETTING`; with fixed numbers whose block n x lanes ..= n x lanes + lanes - 1 passes the layout's last node number: `INVALID_SETTING` naming the block (checked last, after the combination rules)",
        wide_choices: None,
    },
    OptionSpec {
        name: "store",
        camel: "store",
        kind: Kind::Url,
        default: "`SNOWID_SEGMENT_STORE` (a bad value is `SEGMENT_STORE_URL` naming the variable); else, in a replicated environment (`KUBERNETES_SERVICE_HOST`, even in a StatefulSet pod, `AWS_LAMBDA_FUNCTION_NAME`, `K_SERVICE`), `SEGMENT_STORE_URL` naming the environment and the shared stores (each replica has its own filesystem); else `file://$SNOWID_STATE_DIR/segments` when `SNOWID_STATE_DIR` is set; else `file:///var/lib/snowid/segments`, one directory for every user of the machine (see below)",
        env: Some("SNOWID_SEGMENT_STORE"),
        targets: SEGMENT,
        doc: "a store URL",
        errors: "see above; another type `WRONG_TYPE`",
        wide_choices: None,
    },
    OptionSpec {
        name: "step",
        camel: "step",
        kind: Kind::Int {
            min: 1,
            max: MAX_STEP,
        },
        default: "1000 (raised to `min_step`, lowered to `max_step` when only those are given)",
        env: None,
        targets: SEGMENT,
        doc: "integer 1..=1000000000: IDs per range at first",
        errors: "`INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "min_step",
        camel: "minStep",
        kind: Kind::Int {
            min: 1,
            max: MAX_STEP,
        },
        default: "`min(step, 1000)`",
        env: None,
        targets: SEGMENT,
        doc: "integer 1..=1000000000",
        errors: "`INVALID_SETTING`; above `step`: `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "max_step",
        camel: "maxStep",
        kind: Kind::Int {
            min: 1,
            max: MAX_STEP,
        },
        default: "`max(step, 1000000)`",
        env: None,
        targets: SEGMENT,
        doc: "integer 1..=1000000000",
        errors: "`INVALID_SETTING`; below `step`: `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "prefetch_at",
        camel: "prefetchAt",
        kind: Kind::Int { min: 0, max: 99 },
        default: "10 (as Meituan Leaf)",
        env: None,
        targets: SEGMENT | REMOTE,
        doc: "integer 0..=99: percent of a range (a batch) used before the next is fetched in the background",
        errors: "`INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "range_ms",
        camel: "rangeMs",
        kind: Kind::Int {
            min: 1,
            max: MAX_RANGE_MS,
        },
        default: "60000",
        env: None,
        targets: SEGMENT,
        doc: "integer 1..=86400000: the lifetime a range should have",
        errors: "`INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "allow_volatile_store",
        camel: "allowVolatileStore",
        kind: Kind::Bool,
        default: "false",
        env: None,
        targets: SEGMENT,
        doc: "boolean (or 1/0): accept a Redis that keeps nothing on disk (tests, caches of IDs you can afford to repeat)",
        errors: "`INVALID_SETTING` for another integer, `WRONG_TYPE` for another type",
        wide_choices: None,
    },
    OptionSpec {
        name: "etcd_endpoints",
        camel: "etcdEndpoints",
        kind: Kind::Url,
        default: "none (required by the etcd source)",
        env: Some("SNOWID_ETCD_ENDPOINTS"),
        targets: LEASE_ENV,
        doc: "comma-separated etcd endpoints (`host:port`, `http://` optional): where the etcd source leases node numbers",
        errors: "`INVALID_SETTING` when unset or without an endpoint",
        wide_choices: None,
    },
    OptionSpec {
        name: "etcd_prefix",
        camel: "etcdPrefix",
        kind: Kind::Path,
        default: "`snowid`",
        env: Some("SNOWID_ETCD_PREFIX"),
        targets: LEASE_ENV,
        doc: "first component of every key the etcd source writes (`/<prefix>/<layout>/workers/<n>`)",
        errors: "`INVALID_SETTING` for nothing but `/`, or a space inside",
        wide_choices: None,
    },
    OptionSpec {
        name: "redis_url",
        camel: "redisUrl",
        kind: Kind::Url,
        default: "none (required by the redis source)",
        env: Some("SNOWID_REDIS_URL"),
        targets: LEASE_ENV,
        doc: "the Redis (`redis://host:port/db`) where the redis source leases node numbers",
        errors: "`INVALID_SETTING` when unset; a URL Redis cannot parse: `INVALID_SETTING` at claim",
        wide_choices: None,
    },
    OptionSpec {
        name: "redis_prefix",
        camel: "redisPrefix",
        kind: Kind::Path,
        default: "`snowid`",
        env: Some("SNOWID_REDIS_PREFIX"),
        targets: LEASE_ENV,
        doc: "first component of every key the redis source writes (`/<prefix>/<layout>/workers/<n>`)",
        errors: "`INVALID_SETTING` for nothing but `/`, or a space inside",
        wide_choices: None,
    },
    OptionSpec {
        name: "lease_ttl_ms",
        camel: "leaseTtlMs",
        kind: Kind::Int {
            min: MIN_LEASE_TTL_MS,
            max: MAX_LEASE_TTL_MS,
        },
        default: "10000",
        env: Some("SNOWID_LEASE_TTL_MS"),
        targets: LEASE_ENV,
        doc: "integer 1000..=3600000: a lease's time to live (etcd rounds it up to whole seconds); a third of it is the safety margin",
        errors: "`INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "redis_allow_volatile",
        camel: "redisAllowVolatile",
        kind: Kind::Bool,
        default: "false",
        env: Some("SNOWID_REDIS_ALLOW_VOLATILE"),
        targets: LEASE_ENV,
        doc: "1/0, true/false, yes/no: accept a Redis without the AOF for leases (restarted, it forgets the lease and the mark: IDs may repeat)",
        errors: "`INVALID_SETTING` for another value",
        wide_choices: None,
    },
    OptionSpec {
        name: "url",
        camel: "url",
        kind: Kind::Url,
        default: "required",
        env: None,
        targets: REMOTE,
        doc: "`http://host[:port][/prefix]` or `https://...` of a `snowid serve`",
        errors: "missing, empty, another scheme, no host, a bad port, user info, a query or a fragment `INVALID_SETTING`; another type `WRONG_TYPE`",
        wide_choices: None,
    },
    OptionSpec {
        name: "token",
        camel: "token",
        kind: Kind::Text,
        default: "none (no `Authorization` header)",
        env: None,
        targets: REMOTE,
        doc: "the service's bearer token (its `--token-file` or `SNOWID_TOKEN`)",
        errors: "empty, over 4096 bytes or not visible ASCII `INVALID_SETTING` (the value is never shown); another type `WRONG_TYPE`",
        wide_choices: None,
    },
    OptionSpec {
        name: "key",
        camel: "key",
        kind: Kind::Text,
        default: "none (Snowflake IDs of the service's generator)",
        env: None,
        targets: REMOTE,
        doc: "a segment key: the key's dense IDs (`/v1/segments/{key}/next_ids`)",
        errors: "`SEGMENT_KEY`; another type `WRONG_TYPE`",
        wide_choices: None,
    },
    OptionSpec {
        name: "batch",
        camel: "batch",
        kind: Kind::Int {
            min: 1,
            max: MAX_REMOTE_BATCH,
        },
        default: "4096",
        env: None,
        targets: REMOTE,
        doc: "integer 1..=65536: IDs per request (at most the service's `--max-batch`)",
        errors: "out of range `INVALID_SETTING`",
        wide_choices: None,
    },
    OptionSpec {
        name: "timeout_ms",
        camel: "timeoutMs",
        kind: Kind::Int {
            min: 1,
            max: MAX_REMOTE_TIMEOUT_MS,
        },
        default: "5000",
        env: None,
        targets: REMOTE,
        doc: "integer 1..=600000: longest wait for an ID when the buffer is empty (retries with backoff inside it), and for one request",
        errors: "out of range `INVALID_SETTING`",
        wide_choices: None,
    },
];

/// How many options apply to `target` (`only`: and to none of `except`).
const fn count(target: Targets, except: Targets) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < OPTIONS.len() {
        if OPTIONS[i].applies_to(target) && !OPTIONS[i].applies_to(except) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names of the options that apply to `target` and to none of
/// `except`, in table order (a `const` filter).
const fn names<const N: usize>(target: Targets, except: Targets) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut i = 0;
    while i < OPTIONS.len() {
        if OPTIONS[i].applies_to(target) && !OPTIONS[i].applies_to(except) {
            out[n] = OPTIONS[i].name;
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "count() counts the same options");
    out
}

/// The generator option names, in the order they are checked (node fields
/// come after).
pub const OPTION_NAMES: &[&str] = &names::<{ count(GENERATOR, 0) }>(GENERATOR, 0);
/// The segment option names, in the order they are checked.
pub const SEGMENT_OPTION_NAMES: &[&str] = &names::<{ count(SEGMENT, 0) }>(SEGMENT, 0);
/// The remote generator's option names, in the order they are checked.
pub const REMOTE_OPTION_NAMES: &[&str] = &names::<{ count(REMOTE, 0) }>(REMOTE, 0);
/// The options only a wide generator reads (beside the generator options).
pub const WIDE_OPTION_NAMES: &[&str] = &names::<{ count(WIDE, GENERATOR) }>(WIDE, GENERATOR);

/// The option called `name` (`snake_case`).
pub fn find(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// The range of the integer option called `name` (a name from this
/// table: anything else is a mistake in the caller's code).
pub(crate) fn int_range(name: &str) -> (u64, u64) {
    match find(name).map(|o| o.kind) {
        Some(Kind::Int { min, max }) => (min, max),
        _ => panic!("{name} is not an integer option of the table"),
    }
}

/// The options that apply to `target`, in table order.
pub fn for_target(target: Targets) -> impl Iterator<Item = &'static OptionSpec> {
    OPTIONS.iter().filter(move |o| o.applies_to(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_camel_is_the_lower_camel_case_of_the_name() {
        for (i, o) in OPTIONS.iter().enumerate() {
            assert!(
                OPTIONS[..i].iter().all(|p| p.name != o.name),
                "{} twice",
                o.name
            );
            let mut camel = String::new();
            let mut upper = false;
            for c in o.name.chars() {
                match c {
                    '_' => upper = true,
                    c if upper => {
                        camel.push(c.to_ascii_uppercase());
                        upper = false
                    }
                    c => camel.push(c),
                }
            }
            assert_eq!(o.camel, camel);
            assert_ne!(o.targets, 0, "{} applies nowhere", o.name);
            assert!(!o.doc.is_empty() && !o.default.is_empty(), "{}", o.name);
        }
        for s in WIDE_NODE_SOURCES {
            assert!(NODE_SOURCES.contains(s));
        }
    }

    #[test]
    fn derived_lists() {
        assert_eq!(
            OPTION_NAMES,
            [
                "layout",
                "epoch",
                "clock",
                "on_regression",
                "max_wait_ms",
                "max_borrow_ticks",
                "node_source",
                "state_dir",
                "protect",
                "persist",
                "window_ms",
                "random_sequence_start",
                "lanes",
            ]
        );
        assert_eq!(
            SEGMENT_OPTION_NAMES,
            [
                "store",
                "step",
                "min_step",
                "max_step",
                "prefetch_at",
                "range_ms",
                "allow_volatile_store"
            ]
        );
        assert_eq!(WIDE_OPTION_NAMES, ["width", "tick_ms"]);
        assert_eq!(
            REMOTE_OPTION_NAMES,
            ["prefetch_at", "url", "token", "key", "batch", "timeout_ms"]
        );
    }
}
