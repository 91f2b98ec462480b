package dev.snowid

import com.google.gson.JsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.math.BigInteger

/** testdata/vectors.json, section "wide": layouts up to 128 bits and the JS-safe preset. */
class WideVectorsTest {
    private val w: JsonObject = Vectors.root.getAsJsonObject("wide")
    private fun rows(name: String) = w.getAsJsonArray(name).map { it.asJsonObject }
    private fun opts(o: JsonObject): Array<Pair<String, Any?>> =
        o.entrySet().map { it.key to Vectors.hostValue(it.value) }.toTypedArray()
    private val layouts: Map<String, WideLayout> by lazy {
        rows("layouts").associate { it["key"].asString to WideGenerator.layout(*opts(it.getAsJsonObject("options"))) }
    }

    @Test
    fun layoutsAndCapacity() {
        for (l in rows("layouts")) {
            val x = layouts.getValue(l["key"].asString)
            assertEquals(l["name"].asString, x.name())
            assertEquals(l["width"].asLong, x.width())
            assertEquals(l["js_safe"].asBoolean, x.jsSafe())
            assertEquals(BigInteger(l["max_id"].asString), x.maxIdBig())
            val c = x.capacity()
            val v = l.getAsJsonObject("capacity")
            assertEquals(v["lifespan_ms"].asString, c.lifespanMs)
            assertEquals(v["end_ms"].asString, c.endMs)
            assertEquals(v["issue_end_ms"].asString, c.issueEndMs)
            assertEquals(v["ids_per_second_per_node"].asLong, c.idsPerSecondPerNode)
            assertEquals(v["nodes"].asLong, c.nodes)
        }
    }

    @Test
    fun idsEncodingsAndBounds() {
        for (c in rows("ids")) {
            val l = layouts.getValue(c["layout"].asString)
            val id = BigInteger(c["id"].asString)
            val p = l.decode(id)
            assertEquals(c["tick"].asString, p.tick)
            assertEquals(c["timestamp_ms"].asString, p.timestampMs)
            assertEquals(c["sequence"].asLong, p.sequence)
            val nodes = c.getAsJsonObject("nodes").entrySet().map { NodeValue(it.key, it.value.asLong) }
            assertEquals(nodes, p.nodes)
            assertEquals(id.toString(), l.compose(c["timestamp_ms"].asString, c["sequence"].asLong, nodes))
            for ((enc, text) in c.getAsJsonObject("encodings").entrySet()) {
                assertEquals(text.asString, WideGenerator.encode(id, enc))
                assertEquals(id, WideGenerator.parse(text.asString, enc))
            }
        }
        for (b in rows("bounds")) {
            val l = layouts.getValue(b["layout"].asString)
            assertEquals(b["min"].asString, l.minIdAt(b["ms"].asLong))
            assertEquals(b["max"].asString, l.maxIdAt(b["ms"].asLong))
        }
        for (a in rows("parse_aliases")) {
            assertEquals(BigInteger(a["id"].asString), WideGenerator.parse(a["input"].asString, a["encoding"].asString))
        }
    }

    @Test
    fun invalidInputsGiveTheirCodes() {
        for (c in rows("invalid_layouts")) {
            assertEquals(c["code"].asString, codeOf { WideGenerator.layout(*opts(c.getAsJsonObject("options"))) }, c.toString())
        }
        for (c in rows("invalid_ids")) {
            assertEquals(c["code"].asString, codeOf { layouts.getValue(c["layout"].asString).decode(c["id"].asString) }, c.toString())
        }
        for (c in rows("invalid_strings")) {
            assertEquals(c["code"].asString, codeOf { WideGenerator.parse(c["input"].asString, c["encoding"].asString) }, c.toString())
        }
    }

    @Test
    fun runsUnderAManualClock() {
        for (r in rows("runs")) {
            val clock = ManualClock(r["start_ms"].asLong)
            val options = linkedMapOf<String, Any?>(*opts(r.getAsJsonObject("options")))
            options["clock"] = clock
            for ((k, v) in r.getAsJsonObject("nodes").entrySet()) options[k] = v.asLong
            val g = WideGenerator(options)
            for (s in r.getAsJsonArray("steps").map { it.asJsonObject }) {
                when (s["op"].asString) {
                    "advance" -> clock.advance(s["ms"].asLong)
                    "next" -> if (s.has("error")) assertEquals(s["error"].asString, codeOf { g.next() })
                              else assertEquals(BigInteger(s["expect"].asString), g.next())
                    else -> assertEquals(s.getAsJsonArray("expect").map { BigInteger(it.asString) }, g.nextBatch(s["n"].asInt))
                }
            }
        }
    }

    @Test
    fun jsSafeLongsAndLocalSlots() {
        val js = WideGenerator("layout" to "jssafe", "worker" to 9, "protect" to false)
        val a = js.nextLong()
        assertTrue(a in 1..((1L shl 53) - 1))
        assertTrue(js.next() > BigInteger.valueOf(a))
        val wide = WideGenerator("layout" to "wide128", "nodeSource" to "local")
        assertTrue(wide.source().startsWith("local slot"))
        val ids = wide.nextBatch(1000)
        assertEquals(ids.sorted(), ids)
        assertEquals(1000, ids.toSet().size)
        assertTrue(ids[0].bitLength() > 64)
        assertEquals("INVALID_SETTING", codeOf { wide.nextLong() })
    }
}
