package dev.snowid

import java.math.BigInteger

/**
 * Host values to [OptionValue], by JVM type only (the core judges them):
 * integers to `Int` (a [BigInteger] beyond `Long` as `BigInt`), `Double` and
 * `Float` to `Float` (never an integer, even 1.0: a JVM has integers), strings to `Str` (`NonUtf8` when not valid UTF-16),
 * booleans, [Layout], [ManualClock]; anything else is `Other` naming its
 * type. `null` values are not given.
 */
internal object Options {
    fun entries(options: Map<String, Any?>): List<OptionEntry> =
        options.entries.mapNotNull { (k, v) -> v?.let { OptionEntry(wellFormed(k), value(it)) } }

    /**
     * `s` with each lone surrogate replaced by U+FFFD, so a string that is not
     * valid UTF-16 reaches the core (which rejects it with its own code)
     * instead of failing the generated code's strict UTF-8 encoder.
     */
    fun wellFormed(s: String): String {
        if (!hasLoneSurrogate(s)) return s
        val out = StringBuilder(s.length)
        var i = 0
        while (i < s.length) {
            val c = s[i]
            if (Character.isHighSurrogate(c) && i + 1 < s.length && Character.isLowSurrogate(s[i + 1])) {
                out.append(c).append(s[i + 1])
                i += 2
                continue
            }
            out.append(if (Character.isSurrogate(c)) '\uFFFD' else c)
            i++
        }
        return out.toString()
    }

    fun spec(spec: LayoutSpec): LayoutSpec = spec.copy(
        name = wellFormed(spec.name),
        fields = spec.fields.map { it.copy(name = wellFormed(it.name), kind = it.kind?.let(::wellFormed)) },
    )

    private fun hasLoneSurrogate(s: String): Boolean {
        var i = 0
        while (i < s.length) {
            val c = s[i]
            if (Character.isHighSurrogate(c) && i + 1 < s.length && Character.isLowSurrogate(s[i + 1])) {
                i += 2
                continue
            }
            if (Character.isSurrogate(c)) return true
            i++
        }
        return false
    }

    fun value(v: Any): OptionValue = when (v) {
        is Long -> OptionValue.Int(v)
        is Int -> OptionValue.Int(v.toLong())
        is Short -> OptionValue.Int(v.toLong())
        is Byte -> OptionValue.Int(v.toLong())
        is BigInteger ->
            if (v.bitLength() < 64) OptionValue.Int(v.toLong()) else OptionValue.BigInt(v.toString())
        is Double -> OptionValue.Float(v)
        is Float -> OptionValue.Float(v.toDouble())
        is Boolean -> OptionValue.Bool(v)
        is CharSequence -> text(v.toString())
        is Layout -> OptionValue.Layout(v)
        is ManualClock -> OptionValue.Clock(v)
        else -> OptionValue.Other(typeName(v))
    }

    private fun typeName(v: Any): String = when (v) {
        is List<*> -> "list"
        is Set<*> -> "set"
        is Map<*, *> -> "map"
        is Array<*>, is IntArray, is LongArray -> "array"
        else -> v.javaClass.simpleName.ifEmpty { v.javaClass.name }
    }

    /** A string; one with a lone surrogate goes as its WTF-8 bytes. */
    fun text(s: String): OptionValue =
        if (hasLoneSurrogate(s)) OptionValue.NonUtf8(wtf8(s)) else OptionValue.Str(s)

    private fun wtf8(s: String): ByteArray {
        val out = java.io.ByteArrayOutputStream()
        var i = 0
        while (i < s.length) {
            val cp = s.codePointAt(i)
            i += Character.charCount(cp)
            when {
                cp < 0x80 -> out.write(cp)
                cp < 0x800 -> { out.write(0xC0 or (cp shr 6)); out.write(0x80 or (cp and 0x3F)) }
                cp < 0x10000 -> {
                    out.write(0xE0 or (cp shr 12)); out.write(0x80 or ((cp shr 6) and 0x3F)); out.write(0x80 or (cp and 0x3F))
                }
                else -> {
                    out.write(0xF0 or (cp shr 18)); out.write(0x80 or ((cp shr 12) and 0x3F))
                    out.write(0x80 or ((cp shr 6) and 0x3F)); out.write(0x80 or (cp and 0x3F))
                }
            }
        }
        return out.toByteArray()
    }
}
