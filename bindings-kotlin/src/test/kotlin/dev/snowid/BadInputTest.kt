package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.math.BigInteger

/** Every entry point with bad values: a coded SnowidException naming the value, never a crash. */
class BadInputTest {
    private val huge = BigInteger.TWO.pow(100)
    private val loneSurrogate = "\uD800x"

    private fun expect(code: String, contains: String? = null, block: () -> Unit) {
        val e = assertThrows(SnowidException::class.java) { block() }
        assertEquals(code, e.code, e.message)
        // The concrete class carries the same code and number as the table.
        val row = Snowid.errorCodes().single { it.code == code }
        assertEquals(row.className, e.javaClass.simpleName)
        assertEquals(row.number, e.number)
        if (contains != null) assertTrue(e.message!!.contains(contains), e.message)
    }

    private fun gen(vararg o: Pair<String, Any?>) = Generator(linkedMapOf("protect" to false, *o)).close()

    @Test
    fun generatorOptions() {
        expect("FIELD_OUT_OF_RANGE", "worker = -1") { gen("datacenter" to 0, "worker" to -1) }
        expect("FIELD_OUT_OF_RANGE", "worker = 32") { gen("datacenter" to 0, "worker" to 32) }
        expect("FIELD_OUT_OF_RANGE", huge.toString()) { gen("datacenter" to 0, "worker" to huge) }
        expect("FIELD_OUT_OF_RANGE") { gen("datacenter" to 0, "worker" to Long.MIN_VALUE) }
        expect("WRONG_TYPE", "1.5") { gen("datacenter" to 0, "worker" to 1.5) }
        // A JVM has integers: a Double is never one, even 1.0.
        expect("WRONG_TYPE", "float 1.0") { gen("datacenter" to 0, "worker" to 1.0) }
        expect("WRONG_TYPE") { gen("datacenter" to 0, "worker" to "7") }
        expect("WRONG_TYPE", "list") { gen("datacenter" to 0, "worker" to listOf(1)) }
        expect("WRONG_TYPE") { gen("datacenter" to 0, "worker" to Any()) }
        expect("MISSING_FIELD", "worker") { gen("datacenter" to 0, "worker" to null) }
        expect("UNKNOWN_FIELD", "shard") { gen("datacenter" to 0, "worker" to 0, "shard" to 1) }
        expect("UNKNOWN_LAYOUT") { gen("layout" to "snowflake", "worker" to 0) }
        expect("WRONG_TYPE") { gen("layout" to 7, "worker" to 0) }
        expect("UNKNOWN_FIELD") { gen(loneSurrogate to 1, "datacenter" to 0, "worker" to 0) }
        expect("UNKNOWN_FIELD") { Snowid.compose(1_700_000_000_000, mapOf(loneSurrogate to 1L)) }
        expect("INVALID_SETTING", "clock") { gen("clock" to loneSurrogate, "datacenter" to 0, "worker" to 0) }
        expect("INVALID_SETTING") { gen("clock" to "Cached", "datacenter" to 0, "worker" to 0) }
        expect("INVALID_SETTING") { gen("maxWaitMs" to -1, "datacenter" to 0, "worker" to 0) }
        expect("INVALID_SETTING") { gen("max_wait_ms" to 5, "maxWaitMs" to 5, "datacenter" to 0, "worker" to 0) }
        expect("INVALID_SETTING") { gen("epoch" to -1, "datacenter" to 0, "worker" to 0) }
        expect("EPOCH_IN_FUTURE") { gen("epoch" to huge, "datacenter" to 0, "worker" to 0) }
        expect("INVALID_SETTING") { gen("protect" to 2, "datacenter" to 0, "worker" to 0) }
        expect("INVALID_SETTING") { gen("state_dir" to "", "datacenter" to 0, "worker" to 0) }
        expect("MISSING_FIELD") { Generator(emptyMap()) }
    }

    @Test
    fun configureValidatesAtOnce() {
        expect("FIELD_OUT_OF_RANGE") { Snowid.configure("datacenter" to 0, "worker" to 99) }
        expect("WRONG_TYPE") { Snowid.configure(mapOf("layout" to 1.5)) }
        expect("INVALID_SETTING") { Snowid.configure("node_source" to "zookeeper") }
    }

    @Test
    fun batches() {
        expect("INVALID_SETTING", "-1") { Snowid.nextBatch(-1) }
        expect("INVALID_SETTING") { Snowid.nextBatch(Snowid.MAX_BATCH + 1) }
        expect("INVALID_SETTING") { Snowid.nextBatch(Int.MAX_VALUE) }
        assertEquals(0, Snowid.nextBatch(0).size)
        assertEquals(0, Snowid.nextInto(LongArray(0)))
        expect("INVALID_SETTING") { nextBatch(-1) }
        Generator("datacenter" to 5, "worker" to 5, "protect" to false).use { g ->
            expect("INVALID_SETTING") { g.nextBatch(-5) }
            expect("INVALID_SETTING") { g.nextBatch(Snowid.MAX_BATCH + 1) }
            val out = LongArray(10)
            assertEquals(10, g.nextInto(out))
        }
    }

    @Test
    fun decodingAndComposing() {
        val t = Layout.twitter()
        expect("ID_OUT_OF_RANGE", "18446744073709551615") { Snowid.inspect(-1, t) }
        expect("ID_OUT_OF_RANGE") { Snowid.inspect(Long.MIN_VALUE, t) }
        val nodes = mapOf("datacenter" to 1L, "worker" to 2L)
        expect("TIMESTAMP_OUT_OF_RANGE") { Snowid.compose(-1, nodes, layout = t) }
        expect("TIMESTAMP_OUT_OF_RANGE") { Snowid.compose(Long.MAX_VALUE, nodes, layout = t) }
        expect("FIELD_OUT_OF_RANGE", "worker = -2") { Snowid.compose(1_700_000_000_000, mapOf("datacenter" to 1L, "worker" to -2L), layout = t) }
        expect("FIELD_OUT_OF_RANGE", "sequence") { Snowid.compose(1_700_000_000_000, nodes, -1, t) }
        expect("UNKNOWN_FIELD") { Snowid.compose(1_700_000_000_000, nodes + ("x" to 1L), layout = t) }
        expect("MISSING_FIELD") { Snowid.compose(1_700_000_000_000, mapOf("worker" to 1L), layout = t) }
        expect("TIMESTAMP_OUT_OF_RANGE") { Snowid.minIdAt(-1, t) }
        expect("TIMESTAMP_OUT_OF_RANGE") { Snowid.maxIdAt(Long.MAX_VALUE, t) }
        expect("TIMESTAMP_OUT_OF_RANGE") { Snowid.minIdAt(java.time.Instant.EPOCH, t) }
    }

    @Test
    fun encodings() {
        expect("UNKNOWN_ENCODING", "base64") { Snowid.encode(1, "base64") }
        expect("UNKNOWN_ENCODING") { Snowid.encode(1, "") }
        expect("UNKNOWN_ENCODING") { Snowid.parse("1", loneSurrogate) }
        expect("PARSE_EMPTY") { Snowid.parse("", "hex") }
        expect("PARSE_LENGTH") { Snowid.parse("ff", "hex") }
        expect("PARSE_CHARACTER") { Snowid.parse("-1") }
        expect("PARSE_CHARACTER") { Snowid.parse(loneSurrogate) }
        expect("PARSE_OVERFLOW") { Snowid.parse("18446744073709551616") }
        assertEquals(-1L, Snowid.parse("18446744073709551615"))
        assertEquals("18446744073709551615", Snowid.encode(-1))
    }

    @Test
    fun layoutsAndClocks() {
        expect("UNKNOWN_LAYOUT") { Layout.preset("") }
        expect("UNKNOWN_LAYOUT") { Snowid.layout(loneSurrogate) }
        fun custom(bits: Long = 41, epoch: Long = 0, tick: Long = 1, kind: String? = null, name: String = "worker") =
            Snowid.layout(LayoutSpec("c", listOf(FieldSpec("timestamp", bits), FieldSpec(name, 10, kind), FieldSpec("sequence", 12)), epoch, tick))
        custom()
        expect("INVALID_SETTING", "-1") { custom(bits = -1) }
        expect("INVALID_SETTING") { custom(bits = Long.MAX_VALUE) }
        expect("INVALID_SETTING") { custom(epoch = -1) }
        expect("TICK_OUT_OF_RANGE") { custom(tick = 0) }
        expect("INVALID_SETTING") { custom(tick = Long.MIN_VALUE) }
        expect("INVALID_SETTING") { custom(kind = "weird") }
        expect("FIELD_NAME") { custom(name = loneSurrogate) }
        expect("FIELD_COUNT") {
            Layout.custom(LayoutSpec("c", (1..100).map { FieldSpec("n$it", 1) }, 0))
        }
        expect("INVALID_SETTING") { ManualClock(-1) }
        val clock = ManualClock(5)
        expect("INVALID_SETTING") { clock.set(-1) }
        clock.advance(Long.MIN_VALUE)
        assertEquals(0, clock.now())
    }

    @Test
    fun closedGeneratorThrowsIllegalState() {
        val g = Generator("datacenter" to 6, "worker" to 6)
        g.next()
        g.close()
        g.close()
        assertThrows(IllegalStateException::class.java) { g.next() }
        assertThrows(IllegalStateException::class.java) { g.nextBatch(3) }
        // Closing released the numbers: they can be taken again at once.
        Generator("datacenter" to 6, "worker" to 6).use { it.next() }
    }

    @Test
    fun liveNumbersAreLocked() {
        Generator("datacenter" to 7, "worker" to 7).use {
            expect("NODE_IN_USE") { Generator("datacenter" to 7, "worker" to 7) }
        }
    }
}
