package dev.snowid

import java.math.BigInteger

/**
 * Host values to [OptionValue], by JVM type only (the core judges them):
 * integers to `Int` (a [BigInteger] beyond `Long` as `BigInt`), `Double` and
 * `Float` to `Float`, strings to `Str` (`NonUtf8` when not valid UTF-16),
 * booleans, [Layout], [ManualClock]; anything else is `Other` naming its
 * type. `null` values are not given.
 */
internal object Options {
    fun entries(options: Map<String, Any?>): List<OptionEntry> =
        options.entries.mapNotNull { (k, v) -> v?.let { OptionEntry(k, value(it)) } }

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
    fun text(s: String): OptionValue {
        var i = 0
        while (i < s.length) {
            val c = s[i]
            if (Character.isHighSurrogate(c) && i + 1 < s.length && Character.isLowSurrogate(s[i + 1])) {
                i += 2
                continue
            }
            if (Character.isSurrogate(c)) return OptionValue.NonUtf8(wtf8(s))
            i++
        }
        return OptionValue.Str(s)
    }

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
