package dev.snowid

/**
 * Segment mode: dense, strictly increasing IDs for one key (order numbers,
 * invoice numbers) from ranges of a counter in a store; IDs are
 * 1..=`Long.MAX_VALUE`. Thread-safe; keep one per key per process, and
 * [close] it (it is [AutoCloseable]).
 *
 * Options, resolved by the core (as Python's `Segment(key, **options)` and
 * Node's `new Segment(key, {...})`), keys in snake_case or lowerCamelCase:
 * <!-- BEGIN GENERATED options:kt-segment (make options) -->
 * - `store`: a store URL; default: see `testdata/OPTIONS.md` (environment:
 *   `SNOWID_SEGMENT_STORE`)
 * - `step`: integer 1..=1000000000: IDs per range at first; default: see
 *   `testdata/OPTIONS.md`
 * - `min_step`: integer 1..=1000000000; default `min(step, 1000)`
 * - `max_step`: integer 1..=1000000000; default `max(step, 1000000)`
 * - `prefetch_at`: integer 0..=99: percent of a range (a batch) used before
 *   the next is fetched in the background; default 10 (as Meituan Leaf)
 * - `range_ms`: integer 1..=86400000: the lifetime a range should have;
 *   default 60000
 * - `allow_volatile_store`: boolean (or 1/0): accept a Redis that keeps
 *   nothing on disk (tests, caches of IDs you can afford to repeat); default
 *   false
 * <!-- END GENERATED options:kt-segment -->
 *
 * ```kotlin
 * Segment("orders", mapOf("store" to url, "step" to 100, "maxStep" to 10_000)).use { it.next() }
 * ```
 * ```java
 * try (Segment s = new Segment("orders", Map.of("store", url, "step", 100))) { s.next(); }
 * ```
 *
 * @throws SnowidException the core's error for a bad key (`SEGMENT_KEY`),
 *   store URL (`SEGMENT_STORE_URL`) or option (`INVALID_SETTING`, naming
 *   the option and its valid range).
 */
class Segment private constructor(private val native: NativeSegment) : AutoCloseable {
    /** Options by name (a `LinkedHashMap` keeps the order errors are reported in). */
    @Throws(SnowidException::class)
    constructor(key: String, options: Map<String, Any?>) :
        this(NativeSegment(Options.text(key), Options.entries(options)))

    /** Kotlin: `Segment("orders", "store" to url, "step" to 100)`; `Segment("orders")`: the defaults. */
    @Throws(SnowidException::class)
    constructor(key: String, vararg options: Pair<String, Any?>) : this(key, linkedMapOf(*options))

    /** `store`: a store URL or null (the default); `step`: IDs per range at first, or null. */
    @Throws(SnowidException::class)
    constructor(key: String, store: String?, step: Long?) : this(key, linkedMapOf("store" to store, "step" to step))

    private val key: String = native.key()

    @Volatile
    private var closed = false

    private inline fun <R> open(block: NativeSegment.() -> R): R {
        check(!closed) { "this Segment is closed" }
        return native.block()
    }

    /** The key. */
    fun key(): String = key

    /** The next ID of the key. */
    @Throws(SnowidException::class)
    fun next(): Long = open { next() }

    /** `n` strictly increasing IDs (at most 2^24). */
    @Throws(SnowidException::class)
    fun nextBatch(n: Long): List<Long> = open { nextBatch(n) }

    /** Counters: ranges taken, failed takes, their latency, waits, the next step, the current range. */
    fun stats(): SegmentStats = open { stats() }

    /** Releases the native segment (idempotent); later calls throw [IllegalStateException]. */
    override fun close() {
        closed = true
        native.close()
    }

    override fun toString(): String = "Segment($key)"
}
