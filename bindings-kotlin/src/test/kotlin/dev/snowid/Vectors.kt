package dev.snowid

import com.google.gson.JsonArray
import com.google.gson.JsonElement
import com.google.gson.JsonObject
import com.google.gson.JsonParser
import java.io.File
import java.math.BigInteger

/** testdata/vectors.json, and the conversions every vector test shares. */
object Vectors {
    val root: JsonObject by lazy {
        val path = System.getProperty("snowid.vectors") ?: "../testdata/vectors.json"
        JsonParser.parseString(File(path).readText()).asJsonObject
    }

    fun section(name: String): List<JsonObject> = root.getAsJsonArray(name).map { it.asJsonObject }

    /** A decimal ID string (up to 2^64 - 1) as the Long holding its bits. */
    fun id(e: JsonElement): Long = java.lang.Long.parseUnsignedLong(e.asString)

    val layouts: Map<String, Layout> by lazy {
        section("layouts").associate { it["name"].asString to layoutOf(it) }
    }

    fun layoutOf(v: JsonObject): Layout =
        if (v.has("preset") && v["preset"].asBoolean) Layout.preset(v["name"].asString) else Layout.custom(spec(v))

    fun spec(v: JsonObject): LayoutSpec = LayoutSpec(
        name = v["name"].asString,
        fields = v.getAsJsonArray("fields").map {
            val f = it.asJsonObject
            FieldSpec(f["name"].asString, f["bits"].asLong, f["kind"]?.asString)
        },
        epochMs = v["epoch_ms"].asLong,
        tickMs = v["tick_ms"]?.asLong ?: 1,
        signBit = v["sign_bit"]?.asBoolean ?: true,
    )

    fun nodes(v: JsonObject): LinkedHashMap<String, Long> =
        v.entrySet().associateTo(LinkedHashMap()) { it.key to it.value.asLong }

    /** A case with a JavaScript number (`{"float": x}`), which no JVM value is. */
    class JsOnly : Exception()

    /** An option value in the vectors' JSON form, as the JVM host value a user would pass. */
    fun hostValue(v: JsonElement): Any? {
        if (v.isJsonNull) return null
        if (v.isJsonPrimitive) {
            val p = v.asJsonPrimitive
            return when {
                p.isBoolean -> p.asBoolean
                p.isString -> p.asString
                else -> {
                    val text = p.asString
                    if (text.contains('.') || text.contains('e') || text.contains('E')) p.asDouble
                    else BigInteger(text).let { if (it.bitLength() < 64) it.toLong() else it }
                }
            }
        }
        val o = v.asJsonObject
        val (kind, x) = o.entrySet().single()
        return when (kind) {
            "int" -> BigInteger(x.asString).let { if (it.bitLength() < 64) it.toLong() else it }
            // A JavaScript number (an integer when integral): no JVM value is one.
            "float" -> throw JsOnly()
            // A float of a host with integers: a JVM Double.
            "real" -> x.asDouble
            // A JVM string cannot hold bytes that are not UTF-8; its
            // counterpart is a string that is not valid UTF-16.
            "bytes" -> "\uD800" + String(hex(x.asString), Charsets.ISO_8859_1)
            "other" -> when (x.asString) {
                "list" -> listOf(1, 2)
                "dict", "object", "map" -> mapOf("a" to 1)
                else -> Any()
            }
            "manual_clock" -> ManualClock(x.asLong)
            "layout_of" -> layouts.getValue(x.asString)
            else -> error("unknown value form $kind")
        }
    }

    fun hex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

    fun envVars(env: JsonObject): List<EnvVar> = env.entrySet().map { (k, v) ->
        EnvVar(k, if (v.isJsonObject) hex(v.asJsonObject["bytes"].asString) else v.asString.toByteArray())
    }

    fun strings(a: JsonArray): List<String> = a.map { it.asString }
}

/** The code of the SnowidException `block` throws (fails if it throws nothing or something else). */
fun codeOf(block: () -> Unit): String {
    try {
        block()
    } catch (e: SnowidException) {
        return e.code
    }
    throw AssertionError("expected a SnowidException")
}
