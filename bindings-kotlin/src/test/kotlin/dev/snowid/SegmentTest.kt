package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
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
}
