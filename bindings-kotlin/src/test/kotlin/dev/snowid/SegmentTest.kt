package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files

/** Segment mode with the file store: dense increasing Longs; bad keys and URLs are coded errors. */
class SegmentTest {
    private val store = "file://" + Files.createTempDirectory("snowid-kt-seg-").toString()

    @Test
    fun denseAndIncreasing() {
        Segment("orders", store, 10L).use { s ->
            assertEquals("orders", s.key())
            assertEquals(listOf(1L, 2L, 3L), listOf(s.next(), s.next(), s.next()))
            assertEquals((4L..8L).toList(), s.nextBatch(5L))
        }
        Segment("orders", store, 10L).use { s -> assertTrue(s.next() > 8L) }
    }

    @Test
    fun badKeysAndUrls() {
        for (key in listOf("", "a/b", "x".repeat(129), ".hidden")) {
            val e = assertThrows(SnowidException::class.java) { Segment(key, store, null).close() }
            assertEquals("SEGMENT_KEY", e.code, e.message)
        }
        for (url in listOf("", "/tmp/x", "file://relative", "ftp://h/x")) {
            val e = assertThrows(SnowidException::class.java) { Segment("k", url, null).close() }
            assertEquals("SEGMENT_STORE_URL", e.code, e.message)
        }
        val e = assertThrows(SnowidException::class.java) { Segment("k", store, 0L).close() }
        assertEquals("INVALID_SETTING", e.code, e.message)
    }

    @Test
    fun optionsByNameReachTheCore() {
        // Every option passes through; a fixed step (min = max = step) shows in stats().
        val opts = linkedMapOf<String, Any?>("store" to store, "step" to 7, "minStep" to 7, "max_step" to 7L,
            "prefetchAt" to 50, "range_ms" to 60_000)
        Segment("invoices", opts).use { s ->
            assertEquals("invoices", s.key())
            assertEquals((1L..7L).toList(), s.nextBatch(7L))
            assertEquals(8L, s.next())
            assertEquals(7L, s.stats().step)
        }
        Segment("invoices", "store" to store, "step" to 7, "maxStep" to 7).use { s -> assertTrue(s.next() > 8L) }
        Segment("invoices", mapOf("store" to store, "step" to null)).use { s -> assertTrue(s.next() > 8L) }
    }

    @Test
    fun badOptionsNameTheOptionAndItsRange() {
        fun fails(vararg o: Pair<String, Any?>): SnowidException =
            assertThrows(SnowidException::class.java) { Segment("k", "store" to store, *o).close() }
        fails("prefetchAt" to 100).let { e ->
            assertEquals("INVALID_SETTING", e.code, e.message)
            assertTrue(e.message!!.contains("prefetchAt") && e.message!!.contains("99"), e.message)
        }
        fails("stepp" to 5).let { e ->
            assertEquals("INVALID_SETTING", e.code, e.message)
            assertTrue(e.message!!.contains("stepp") && e.message!!.contains("min_step"), e.message)
        }
        fails("step" to 10, "maxStep" to 5).let { e ->
            assertEquals("INVALID_SETTING", e.code, e.message)
            assertTrue(e.message!!.contains("max_step"), e.message)
        }
        fails("step" to "ten").let { e ->
            assertEquals("WRONG_TYPE", e.code, e.message)
            assertTrue(e.message!!.contains("step") && e.message!!.contains("ten"), e.message)
        }
        fails("max_step" to 5000, "maxStep" to 6000).let { e -> assertTrue(e.message!!.contains("maxStep") && e.message!!.contains("twice"), e.message) }
        fails("rangeMs" to listOf(1)).let { e ->
            assertEquals("WRONG_TYPE", e.code, e.message)
            assertTrue(e.message!!.contains("rangeMs") && e.message!!.contains("list"), e.message)
        }
    }

    @Test
    fun statsMoveAfterIds() {
        Segment("stats", "store" to store, "step" to 5, "minStep" to 5, "maxStep" to 5).use { s ->
            val before = s.stats()
            assertEquals(0L, before.fetchFailures)
            var last = 0L
            repeat(12) { last = s.next() }
            assertEquals(12L, last)
            val after = s.stats()
            assertTrue(after.rangesFetched >= 3 && after.rangesFetched > before.rangesFetched, after.toString())
            assertTrue(after.currentStart <= last && last < after.currentEnd, after.toString())
            assertEquals(5L, after.currentEnd - after.currentStart, after.toString())
            assertEquals(5L, after.step)
            assertEquals(0L, after.fetchFailures)
            assertTrue(after.maxFetchUs >= after.lastFetchUs && after.totalFetchUs >= after.maxFetchUs, after.toString())
        }
    }

    @Test
    fun closedSegmentThrows() {
        val s = Segment("closed", store, null)
        assertTrue(s.next() >= 1L)
        s.close()
        s.close()
        assertEquals("closed", s.key())
        assertEquals("this Segment is closed", assertThrows(IllegalStateException::class.java) { s.next() }.message)
        assertFalse(s.toString().isEmpty())
    }

    @Test
    fun readmeSnippet() {
        // START kotlin-segment
        Segment("invoices", "store" to store, "step" to 100, "maxStep" to 10_000).use { seg ->
            val first = seg.next()                      // 1, 2, 3... per key
            val stats = seg.stats()                     // rangesFetched, step, waits, currentStart..currentEnd
        }
        // END kotlin-segment
        Segment("invoices", "store" to store).use { seg ->
            val next = seg.next()
            assertTrue(next > 100L, "the snippet's segment took 1..=100")
            val stats = seg.stats()
            assertTrue(stats.rangesFetched >= 1 && stats.currentStart <= next && next < stats.currentEnd, stats.toString())
        }
    }
}
