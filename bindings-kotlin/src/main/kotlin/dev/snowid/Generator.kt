package dev.snowid

import java.lang.ref.Cleaner
import java.util.concurrent.atomic.AtomicLong

/**
 * An ID generator for one node (a layout and its node numbers): lock-free,
 * safe to share between threads; its IDs increase and never repeat.
 *
 * Built from the same options as every snowid binding, resolved by the
 * core (`testdata/OPTIONS.md`): node fields by the layout's names
 * (`datacenter`, `worker`, `shard`...) and
 * <!-- BEGIN GENERATED options:kt-generator (make options) -->
 * - `layout`: preset name (exact: `twitter`, `discord`, `instagram`,
 *   `sonyflake`) or a `Layout`; default `twitter` (environment:
 *   `SNOWID_LAYOUT`)
 * - `epoch`: integer ms since the Unix epoch, >= 0, not in the future;
 *   default the layout's
 * - `clock`: `"cached"`, `"monotonic"`, a `ManualClock`; default `"cached"`
 *   (environment: `SNOWID_CLOCK`)
 * - `on_regression`: `"wait"`, `"fail"`; default `"wait"`
 * - `max_wait_ms`: integer 0..=3600000; default 1000 (only with `wait`)
 * - `max_borrow_ticks`: integer 0..=1000000; default 0
 * - `node_source`: `"explicit"`, `"local"`, `"env"`, `"k8s"`, `"etcd"`,
 *   `"redis"`; default `explicit` when node fields are given (environment:
 *   `SNOWID_NODE_SOURCE`)
 * - `state_dir`: non-empty path; default `SNOWID_STATE_DIR`, else the
 *   per-user directory (environment: `SNOWID_STATE_DIR`)
 * - `protect`: bool: lock the node numbers on this machine and keep a
 *   high-water mark; default `true`; `false` with a `ManualClock`
 * - `persist`: bool: keep the high-water mark (needs `protect`); default
 *   `true` when protected (environment: `SNOWID_PERSIST`)
 * - `window_ms`: integer 1..=3600000; default 1000 (environment:
 *   `SNOWID_WINDOW_MS`)
 * - `random_sequence_start`: bool: each tick entered from the clock starts
 *   its sequence at a pseudo-random offset in `0..2^min(sequence bits - 1,
 *   8)` (a hash of the tick and the node), so `id % shards` spreads at low
 *   rates; a tick entered by carry starts at 0; default `false`
 * - `lanes`: integer 1..=min(nodes of the layout, 1024): node numbers the
 *   generator holds, one per lane (`snowid::lanes`); a fixed number n (node
 *   fields, `env`, `k8s`) is a block index: lane i holds n x lanes + i (see
 *   "Lanes and fixed numbers"); default 1
 * <!-- END GENERATED options:kt-generator -->
 *
 * Keys in snake_case or lowerCamelCase. Explicit node numbers are locked on this machine while the
 * generator lives: [close] it (it is [AutoCloseable]) to release them and
 * lower its high-water mark.
 *
 * ```kotlin
 * Generator("datacenter" to 1, "worker" to 7).use { gen -> gen.next() }
 * ```
 * ```java
 * try (Generator gen = new Generator(Map.of("datacenter", 1, "worker", 7))) { gen.next(); }
 * ```
 *
 * [next], [nextBatch] and [nextInto] take the JNI fast path; a closed
 * generator throws [IllegalStateException].
 *
 * @throws SnowidException the core's error for bad options (e.g.
 *   `SnowidException.FieldOutOfRange`, `SnowidException.NodeInUse`).
 */
class Generator private constructor(private val native: NativeGenerator) : AutoCloseable {
    /** Options by name (a `LinkedHashMap` keeps the order errors are reported in). */
    @Throws(SnowidException::class)
    constructor(options: Map<String, Any?>) : this(NativeGenerator(Options.entries(options)))

    /** Kotlin: `Generator("worker" to 7, "datacenter" to 1)`. */
    @Throws(SnowidException::class)
    constructor(vararg options: Pair<String, Any?>) : this(linkedMapOf(*options))

    private val handle: Long = native.leanHandle()

    // 1 while open, +1 per call in flight; the handle is released when it
    // reaches 0 (after close), so close() never frees it under a running call.
    private val calls = AtomicLong(1)
    private val closed = java.util.concurrent.atomic.AtomicBoolean(false)
    private val cleanable: Cleaner.Cleanable = CLEANER.register(this, Release(handle))

    private fun enter() {
        while (true) {
            val c = calls.get()
            check(c != 0L) { "this Generator is closed" }
            if (calls.compareAndSet(c, c + 1)) return
        }
    }

    private fun exit() {
        if (calls.decrementAndGet() == 0L) cleanable.clean()
    }

    /** The next ID (a `Long` holding the ID's 64 bits; see [Snowid]). */
    @Throws(SnowidException::class)
    fun next(): Long {
        enter()
        try {
            return NativeFast.id(NativeFast.next(handle))
        } finally {
            exit()
        }
    }

    /**
     * `n` consecutive IDs in one call (at most [Snowid.MAX_BATCH]); shorter
     * only if an error stopped it after some were issued (the next call
     * throws it).
     */
    @Throws(SnowidException::class)
    fun nextBatch(n: Int): LongArray {
        enter()
        try {
            return NativeFast.batch(handle, n.toLong())
        } finally {
            exit()
        }
    }

    /** Fills `out` with consecutive IDs without allocating; returns how many. */
    @Throws(SnowidException::class)
    fun nextInto(out: LongArray): Int {
        enter()
        try {
            return NativeFast.into(handle, out)
        } finally {
            exit()
        }
    }

    /**
     * Counters: IDs issued, overflow waits, clock regressions, borrowed ticks;
     * and `skewMs`, the clock's current skew (alert when `abs(skewMs) > 100`).
     */
    fun stats(): Stats = native.stats()

    /** The layout. */
    fun layout(): Layout = native.layout()

    /** Node values by field name, in layout order (lane 0's; see [laneNodes]). */
    fun nodes(): Map<String, Long> = native.nodes().associateTo(LinkedHashMap()) { it.name to it.value }

    /** Every lane's node values by field name, lane 0 first (one entry without `lanes`). */
    fun laneNodes(): List<Map<String, Long>> =
        native.laneNodes().map { lane -> lane.associateTo(LinkedHashMap()) { it.name to it.value } }

    /**
     * Whether the generator can issue now, without issuing (for your own
     * readiness probe): returns when the next ID of every lane would be
     * issued, else throws the [SnowidException] that ID would throw
     * (`BehindHighWater`, `LeaseLost`, `ClockMovedBackwards`...). Takes no ID
     * and moves no counter; like the next ID, it may first extend the
     * reservation (one mark write or lease check per window).
     */
    @Throws(SnowidException::class)
    fun ready() = native.ready()

    /** Where the node numbers came from: `explicit`, `local slot 3 in ...`, `env (...)`. */
    fun source(): String = native.source()

    /** The resolved settings as canonical JSON (the `options` vectors' form). */
    fun settingsJson(): String = native.settingsJson()

    /** Lowers the high-water mark to the last tick issued; the generator stays usable. */
    fun shutdown() = native.shutdown()

    /**
     * Releases the node numbers and lowers the high-water mark (once no call
     * is running). Later calls throw [IllegalStateException].
     */
    override fun close() {
        if (closed.compareAndSet(false, true)) {
            native.close()
            exit()
        }
    }

    override fun toString(): String = "Generator(${layout().name()}, ${nodes()}, ${source()})"

    private class Release(private val handle: Long) : Runnable {
        override fun run() = NativeFast.release(handle)
    }

    companion object {
        private val CLEANER: Cleaner = Cleaner.create()

        /**
         * A generator configured like the default one: from `SNOWID_LAYOUT`,
         * `SNOWID_NODE_SOURCE`, `SNOWID_<FIELD>_ID`, `SNOWID_STATE_DIR`...;
         * with nothing set, a machine-local slot.
         */
        @JvmStatic
        @Throws(SnowidException::class)
        fun fromEnv(): Generator = Generator(NativeGenerator.fromEnv())
    }
}
