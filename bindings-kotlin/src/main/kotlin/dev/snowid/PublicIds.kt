package dev.snowid

/**
 * Keyed public IDs: a reversible permutation of 64-bit IDs for showing to
 * the public. [encode] gives 16 Crockford base32 characters that hide the
 * ID's creation time, node and volume; only the same key (and context)
 * [decode]s them. FF1 (NIST SP 800-38G) over AES; a mistyped text or
 * another key fails a 16-bit check (`PUBLIC_ID_CHECK`) instead of giving
 * another ID. Immutable and thread-safe.
 *
 * An ID is a `Long` holding its 64 bits (as everywhere in snowid's Kotlin
 * API), or a `ULong`.
 *
 * ```kotlin
 * val ids = PublicIds(key, "users")        // key: 16, 24 or 32 bytes
 * val text = ids.encode(Snowid.next())     // e.g. "BYKNGNESMKST26TF"
 * val id = ids.decode(text)
 * ```
 *
 * @param key 16, 24 or 32 bytes (AES-128/192/256); else `PUBLIC_ID_KEY`.
 * @param context at most 64 bytes of UTF-8 (else `INVALID_SETTING`); two
 *   contexts under one key give unrelated public IDs.
 */
class PublicIds @JvmOverloads @Throws(SnowidException::class) constructor(key: ByteArray, context: String = "") {
    private val native = NativePublicIds(key, context)

    /** The context the IDs are made in (`""` by default). */
    val context: String get() = native.context()

    /** The public ID of [id]: 16 characters. */
    fun encode(id: Long): String = native.encode(id)

    /** The public ID of [id]: 16 characters. */
    @JvmName("encodeUnsigned")
    fun encode(id: ULong): String = native.encode(id.toLong())

    /**
     * The ID behind [text] (any case; `I`/`L` read as 1, `O` as 0).
     *
     * @throws SnowidException `PARSE_EMPTY`, `PARSE_LENGTH` (not 16
     *   characters), `PARSE_CHARACTER`, or `PUBLIC_ID_CHECK` (mistyped, or
     *   made with another key or context).
     */
    @Throws(SnowidException::class)
    fun decode(text: String): Long = native.decode(text)

    /** [decode] as a `ULong`. */
    @Throws(SnowidException::class)
    fun decodeUnsigned(text: String): ULong = native.decode(text).toULong()

    override fun toString(): String = "PublicIds(context=\"$context\")"
}
