package dev.snowid

import com.google.gson.JsonParser
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import dev.snowid.Vectors.id
import dev.snowid.Vectors.section

/** Every section of testdata/vectors.json. */
class VectorsTest {
    @Test
    fun errors() {
        val table = Snowid.errorCodes()
        val vectors = section("errors")
        assertEquals(vectors.size, table.size)
        for ((v, row) in vectors.zip(table)) {
            assertEquals(v["code"].asString, row.code)
            assertEquals(v["number"].asInt, row.number)
            assertEquals(v["kind"].asString, row.kind)
            // One subclass of the sealed SnowidException per code.
            val cls = Class.forName("dev.snowid.SnowidException$" + row.className)
            assertTrue(SnowidException::class.java.isAssignableFrom(cls), row.className)
        }
        assertEquals(table.size, SnowidException::class.java.declaredClasses.count { SnowidException::class.java.isAssignableFrom(it) })
    }

    @Test
    fun layouts() {
        for (v in section("layouts")) {
            val l = Vectors.layoutOf(v)
            val name = v["name"].asString
            assertEquals(name, l.name())
            assertEquals(v["epoch_ms"].asLong, l.epochMs())
            assertEquals(v["tick_ms"].asLong, l.tickMs())
            assertEquals(v["sign_bit"].asBoolean, l.signBit())
            assertEquals(v["max_id"].asString, java.lang.Long.toUnsignedString(l.maxId()))
            val fields = v.getAsJsonArray("fields").map { it.asJsonObject }
            assertEquals(fields.map { it["name"].asString }, l.fields().map { it.name })
            assertEquals(fields.map { it["bits"].asInt }, l.fields().map { it.bits })
            assertEquals(fields.map { it["kind"].asString }, l.fields().map { it.kind })
            val c = v.getAsJsonObject("capacity")
            val cap = l.capacity()
            assertEquals(c["lifespan_ms"].asString, cap.lifespanMs.toString(), name)
            assertEquals(c["end_ms"].asString, cap.endMs.toString(), name)
            assertEquals(c["ids_per_tick"].asString, cap.idsPerTick.toString(), name)
            assertEquals(c["ids_per_second_per_node"].asString, cap.idsPerSecondPerNode.toString(), name)
            assertEquals(c["nodes"].asString, cap.nodes.toString(), name)
        }
    }

    @Test
    fun ids() {
        for (v in section("ids")) {
            val l = Vectors.layouts.getValue(v["layout"].asString)
            val id = id(v["id"])
            val p = Snowid.inspect(id, l)
            assertEquals(v["timestamp_ms"].asLong, p.timestampMs)
            assertEquals(v["tick"].asLong, p.tick)
            assertEquals(v["sequence"].asLong, p.sequence)
            val nodes = Vectors.nodes(v.getAsJsonObject("nodes"))
            assertEquals(nodes, Snowid.nodes(p))
            assertEquals(id, Snowid.compose(p.timestampMs, nodes, p.sequence, l))
            assertEquals(id, l.compose(p.timestampMs, p.sequence, p.nodes))
        }
    }

    @Test
    fun bounds() {
        for (v in section("bounds")) {
            val l = Vectors.layouts.getValue(v["layout"].asString)
            val ms = v["timestamp_ms"].asLong
            assertEquals(id(v["min_id"]), Snowid.minIdAt(ms, l))
            assertEquals(id(v["max_id"]), Snowid.maxIdAt(ms, l))
        }
    }

    @Test
    fun encodings() {
        for (v in section("encodings")) {
            val id = id(v["id"])
            for (enc in listOf("decimal", "hex", "base32", "base62")) {
                assertEquals(v[enc].asString, Snowid.encode(id, enc))
                assertEquals(id, Snowid.parse(v[enc].asString, enc))
            }
        }
        for (v in section("parse_aliases")) {
            assertEquals(id(v["id"]), Snowid.parse(v["input"].asString, v["encoding"].asString))
        }
        for (v in section("invalid_strings")) {
            assertEquals(v["error"].asString, codeOf { Snowid.parse(v["input"].asString, v["encoding"].asString) }, v.toString())
        }
    }

    @Test
    fun invalidInputs() {
        for (v in section("invalid_layouts")) {
            assertEquals(v["error"].asString, codeOf { Layout.custom(Vectors.spec(v.getAsJsonObject("spec"))) }, v.toString())
        }
        for (v in section("invalid_presets")) {
            assertEquals(v["error"].asString, codeOf { Layout.preset(v["name"].asString) })
        }
        for (v in section("invalid_ids")) {
            val l = Vectors.layouts.getValue(v["layout"].asString)
            assertEquals(v["error"].asString, codeOf { l.decode(id(v["id"])) })
        }
        for (v in section("invalid_compose")) {
            val l = Vectors.layouts.getValue(v["layout"].asString)
            val nodes = Vectors.nodes(v.getAsJsonObject("nodes"))
            assertEquals(v["error"].asString, codeOf {
                Snowid.compose(v["timestamp_ms"].asLong, nodes, v["sequence"].asLong, l)
            }, v.toString())
        }
    }

    @Test
    fun runs() {
        for (run in section("runs")) {
            val clock = ManualClock(run["start_ms"].asLong)
            val options = linkedMapOf<String, Any?>(
                "layout" to Vectors.layouts.getValue(run["layout"].asString),
                "clock" to clock,
                "max_borrow_ticks" to run["max_borrow_ticks"].asLong,
                "on_regression" to run["on_regression"].asString,
            )
            options.putAll(Vectors.nodes(run.getAsJsonObject("nodes")))
            Generator(options).use { gen ->
                for (step in run.getAsJsonArray("steps").map { it.asJsonObject }) {
                    val what = "${run["layout"]} $step"
                    when (step["op"].asString) {
                        "set" -> clock.set(step["ms"].asLong)
                        "advance" -> clock.advance(step["ms"].asLong)
                        "next" ->
                            if (step.has("error")) assertEquals(step["error"].asString, codeOf { gen.next() }, what)
                            else assertEquals(id(step["expect"]), gen.next(), what)
                        "batch" -> {
                            if (step.has("error") && !step.has("expect")) {
                                assertEquals(step["error"].asString, codeOf { gen.nextBatch(step["n"].asInt) }, what)
                            } else {
                                val got = gen.nextBatch(step["n"].asInt).toList()
                                assertEquals(step.getAsJsonArray("expect").map { id(it) }, got, what)
                            }
                        }
                        else -> error("unknown op $step")
                    }
                }
            }
        }
    }

    /** options + environment -> resolved settings or error code, through the constructors' conversion. */
    @Test
    fun options() {
        val cases = section("options")
        assertTrue(cases.size > 100)
        var skipped = 0
        for (c in cases) {
            val opts = try {
                if (c["options"].isJsonNull) null else
                    Options.entries(c.getAsJsonObject("options").entrySet().associateTo(LinkedHashMap()) { it.key to Vectors.hostValue(it.value) })
            } catch (e: Vectors.JsOnly) {
                skipped++
                continue
            }
            val env = Vectors.envVars(c.getAsJsonObject("env"))
            val what = "${c["why"]}: $c"
            if (c.has("error")) {
                assertEquals(c["error"].asString, codeOf { resolveOptionsForTests(c["target"].asString, opts, env) }, what)
            } else {
                val got = resolveOptionsForTests(c["target"].asString, opts, env)
                assertEquals(c["expect"], JsonParser.parseString(got), what)
            }
        }
        assertTrue(skipped in 1..9, "JavaScript-only cases ({\"float\": x}) skipped: $skipped")
    }
}
