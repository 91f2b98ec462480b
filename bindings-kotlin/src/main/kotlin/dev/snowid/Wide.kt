package dev.snowid

import java.math.BigInteger

/**
 * A lock-free generator of wide IDs (up to 128 bits) as [BigInteger]s:
 * `WideGenerator("layout" to "wide128", "datacenter" to 1, "worker" to 7)`.
 * Takes every option of [Generator] (node fields or `nodeSource`,
 * `protect`, `clock`...) plus the wide layout's: `layout` (`"wide128"`,
 * `"jssafe"`, or fields like `"timestamp:48|region:8|host:24|sequence:16"`),
 * `width`, `tickMs`, `epoch`. Thread-safe: share one per node.
 *
 * @throws SnowidException the core's error for bad options.
 */
class WideGenerator private constructor(private val native: NativeWideGenerator) {
    /** Options by name. */
    @Throws(SnowidException::class)
    constructor(options: Map<String, Any?>) : this(NativeWideGenerator(Options.entries(options)))

    /** Kotlin: `WideGenerator("layout" to "jssafe", "worker" to 3)`. */
    @Throws(SnowidException::class)
    constructor(vararg options: Pair<String, Any?>) : this(linkedMapOf(*options))

    /** The next ID, greater than every ID this generator issued before. */
    @Throws(SnowidException::class)
    fun next(): BigInteger = BigInteger(native.next())

    /** The next ID of a generator of layout `"uuid7"` as a `java.util.UUID`; any other layout is `InvalidSetting`. */
    @Throws(SnowidException::class)
    fun nextUuid(): java.util.UUID = native.nextUuidBits().let { java.util.UUID(it.msb, it.lsb) }

    /** The next ID of a generator of layout `"ulid"` as a ULID; any other layout is `InvalidSetting`. */
    @Throws(SnowidException::class)
    fun nextUlid(): String = native.nextUlid()

    /** The next ID of a JS-safe layout (at most 53 bits) as a `Long`; any other is `InvalidSetting`. */
    @Throws(SnowidException::class)
    fun nextLong(): Long = native.nextLong()

    /** `n` consecutive IDs. */
    @Throws(SnowidException::class)
    fun nextBatch(n: Int): List<BigInteger> = native.nextBatch(n.toLong()).map(::BigInteger)

    /** The layout. */
    fun layout(): WideLayout = native.layout()

    /** Node values by field name. */
    fun nodes(): Map<String, Long> = native.nodes().associateTo(LinkedHashMap()) { it.name to it.value }

    /** Where the node numbers came from. */
    fun source(): String = native.source()

    /** Counters. */
    fun stats(): Stats = native.stats()

    companion object {
        /** A wide layout from options (`"layout" to "jssafe"`, `"width" to 96`...). */
        @JvmStatic
        @Throws(SnowidException::class)
        fun layout(vararg options: Pair<String, Any?>): WideLayout = WideLayout(Options.entries(linkedMapOf(*options)))

        /** A wide ID as text: `decimal`, `hex` (32), `base32` (26), `base62` (22). */
        @JvmStatic
        @Throws(SnowidException::class)
        fun encode(id: BigInteger, encoding: String = "decimal"): String = encodeWide(id.toString(), Options.wellFormed(encoding))

        /** Parses text made by [encode]. */
        @JvmStatic
        @Throws(SnowidException::class)
        fun parse(text: String, encoding: String = "decimal"): BigInteger =
            BigInteger(parseWide(Options.wellFormed(text), Options.wellFormed(encoding)))
    }
}

/** Splits a wide ID into its fields. */
@Throws(SnowidException::class)
fun WideLayout.decode(id: BigInteger): WideParts = decode(id.toString())

/** The layout's largest ID. */
fun WideLayout.maxIdBig(): BigInteger = BigInteger(maxId())
