package dev.snowid

import java.time.Instant

/**
 * snowid for Kotlin and Java: 64-bit, time-sortable, unique IDs from the
 * process default generator, and decoding, composing and encoding.
 *
 * **IDs are `Long`s holding the ID's 64 bits.** Twitter (the default),
 * Instagram and Sonyflake IDs keep the top bit 0, so they are the positive
 * `Long`s a signed BIGINT column or JDBC holds. Discord's layout uses all 64
 * bits: its IDs from 2084 on are negative `Long`s with the same bits (what
 * `java.lang.Long.toUnsignedString` prints, and what [encode] and [parse]
 * use); compare them with `java.lang.Long.compareUnsigned`.
 *
 * The default generator takes its settings from [configure], else the
 * `SNOWID_*` environment, else a machine-local slot; a JVM shutdown hook
 * calls [shutdown] so the next process with its numbers starts at once.
 * Errors are [SnowidException] subclasses, one per core code.
 */
object Snowid {
    /** The most IDs one batch call returns (2^24), in every language. */
    const val MAX_BATCH: Int = 1 shl 24

    init {
        check(maxBatch() == MAX_BATCH.toLong()) { "snowid: MAX_BATCH differs from the core's" }
        Runtime.getRuntime().addShutdownHook(Thread({ dev.snowid.shutdown() }, "snowid-shutdown"))
    }

    /** The next ID of the default generator (creating it on first use). */
    @JvmStatic
    @Throws(SnowidException::class)
    fun next(): Long = NativeFast.id(NativeFast.nextDefault())

    /**
     * A UUID version 7 (RFC 9562) from the default `uuid7` generator
     * (created on first use from the `SNOWID_*` environment or a
     * machine-local slot): unique by construction (node numbers in
     * `rand_b`), greater than every UUID this process made before.
     */
    @JvmStatic
    @Throws(SnowidException::class)
    fun uuid7(): java.util.UUID = uuid7Bits().let { java.util.UUID(it.msb, it.lsb) }

    /** A ULID (26 characters of Crockford base32) from the default `ulid` generator. */
    @JvmStatic
    @Throws(SnowidException::class)
    fun ulid(): String = dev.snowid.ulid()

    /** The next ID as unsigned decimal text (for JSON). */
    @JvmStatic
    @Throws(SnowidException::class)
    fun nextString(): String = java.lang.Long.toUnsignedString(next())

    /** `n` consecutive IDs of the default generator in one call (at most [MAX_BATCH]). */
    @JvmStatic
    @Throws(SnowidException::class)
    fun nextBatch(n: Int): LongArray = NativeFast.batch(0, n.toLong())

    /** Fills `out` with IDs of the default generator without allocating; returns how many. */
    @JvmStatic
    @Throws(SnowidException::class)
    fun nextInto(out: LongArray): Int = NativeFast.into(0, out)

    /**
     * Sets the default generator's options (see [Generator] for the names);
     * what is not given comes from the environment. Call it before the first
     * ID: the same settings again are a no-op, others then throw
     * `SnowidException.InvalidSetting`.
     */
    @JvmStatic
    @Throws(SnowidException::class)
    fun configure(options: Map<String, Any?>) = dev.snowid.configure(Options.entries(options))

    /** Kotlin: `Snowid.configure("layout" to "discord", "worker" to 3, "process" to 1)`. */
    @Throws(SnowidException::class)
    fun configure(vararg options: Pair<String, Any?>) = configure(linkedMapOf(*options))

    /** The default generator's layout (configured, else `SNOWID_LAYOUT`, else Twitter). */
    @JvmStatic
    @Throws(SnowidException::class)
    fun layout(): Layout = defaultLayout()

    /**
     * A preset layout by name: `twitter`, `discord`, `instagram`, `sonyflake`
     * (Kotlin can also write `Layout.discord()`; Java `Layout.Companion.discord()`).
     */
    @JvmStatic
    @Throws(SnowidException::class)
    fun layout(name: String): Layout = Layout.preset(Options.wellFormed(name))

    /** A custom layout (see [LayoutSpec]). */
    @JvmStatic
    @Throws(SnowidException::class)
    fun layout(spec: LayoutSpec): Layout = Layout.custom(Options.spec(spec))

    /** Where the default generator's numbers came from, or `null` before its first ID. */
    @JvmStatic
    fun source(): String? = defaultSource()

    /** The default generator's resolved settings as JSON, or `null` before its first ID. */
    @JvmStatic
    fun settingsJson(): String? = defaultSettingsJson()

    /** The default generator's node values by name (creates it if needed). */
    @JvmStatic
    @Throws(SnowidException::class)
    fun nodes(): Map<String, Long> = defaultNodes().associateTo(LinkedHashMap()) { it.name to it.value }

    /**
     * [Generator.ready] of the default generator: reached as [next] reaches
     * it (created on first use, claiming its node numbers); throws the
     * [SnowidException] the next ID would throw.
     */
    @JvmStatic
    @Throws(SnowidException::class)
    fun ready() = dev.snowid.ready()

    /** The default generator's counters (zero before its first ID) and clock skew. */
    @JvmStatic
    fun stats(): Stats = dev.snowid.stats()

    /**
     * A clean exit: lowers the default generator's high-water mark to its
     * last tick. Called by the shutdown hook; harmless to call again.
     */
    @JvmStatic
    fun shutdown() = dev.snowid.shutdown()

    /** Splits an ID with `layout` (default: the default generator's). */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun inspect(id: Long, layout: Layout? = null): Parts = dev.snowid.inspect(id, layout)

    /**
     * Builds an ID from a time in ms since the Unix epoch (rounded down to its
     * tick), every node field by name and a sequence (`null`: 0).
     */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun compose(timestampMs: Long, nodes: Map<String, Long>, sequence: Long? = null, layout: Layout? = null): Long =
        dev.snowid.compose(timestampMs, sequence, nodes.map { NodeValue(Options.wellFormed(it.key), it.value) }, layout)

    /** Smallest ID any node can issue at `ms` (`WHERE id >= minIdAt(from)`). */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun minIdAt(ms: Long, layout: Layout? = null): Long = dev.snowid.minIdAt(ms, layout)

    /** Smallest ID any node can issue at `time`. */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun minIdAt(time: Instant, layout: Layout? = null): Long = minIdAt(time.toEpochMilli(), layout)

    /** Largest ID any node can issue at `ms` (`WHERE id <= maxIdAt(to)`). */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun maxIdAt(ms: Long, layout: Layout? = null): Long = dev.snowid.maxIdAt(ms, layout)

    /** Largest ID any node can issue at `time`. */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun maxIdAt(time: Instant, layout: Layout? = null): Long = maxIdAt(time.toEpochMilli(), layout)

    /** Lifespan, end, IDs per second per node, node identities of `layout` (default: the default generator's). */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun capacity(layout: Layout? = null): Capacity = dev.snowid.capacity(layout)

    /**
     * An ID as text: `"decimal"` (unsigned), `"hex"` (16 digits), `"base32"`
     * (13 Crockford digits) or `"base62"` (11 digits); the fixed-width forms
     * sort like the numbers.
     */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun encode(id: Long, encoding: String = "decimal"): String = dev.snowid.encode(id, Options.wellFormed(encoding))

    /** Parses text made by [encode] (hex accepts upper case; base32 reads I/L as 1, O as 0). */
    @JvmStatic
    @JvmOverloads
    @Throws(SnowidException::class)
    fun parse(text: String, encoding: String = "decimal"): Long = dev.snowid.parse(Options.wellFormed(text), Options.wellFormed(encoding))

    /** Node values of `parts` by name, in layout order. */
    @JvmStatic
    fun nodes(parts: Parts): Map<String, Long> = parts.nodes.associateTo(LinkedHashMap()) { it.name to it.value }

    /** The start of the ID's tick as an [Instant]. */
    @JvmStatic
    fun timestamp(parts: Parts): Instant = Instant.ofEpochMilli(parts.timestampMs)

    /** Every error code with its number, kind and exception class (`snowid::ERROR_CODES`). */
    @JvmStatic
    fun errorCodes(): List<ErrorCode> = dev.snowid.errorCodes()
}
