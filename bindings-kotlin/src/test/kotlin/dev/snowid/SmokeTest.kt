package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SmokeTest {
    @Test
    fun defaultNext() {
        val a = Snowid.next()
        val b = Snowid.next()
        assertTrue(b > a)
        val p = Snowid.inspect(b)
        assertEquals(b, p.id)
        val batch = Snowid.nextBatch(1000)
        assertEquals(1000, batch.size)
        Generator("datacenter" to 1, "worker" to 2, "protect" to false).use { g ->
            assertTrue(g.next() > 0)
        }
    }

    @Test
    fun statsReportTheClockSkew() {
        val clock = ManualClock(1_700_000_000_000)
        Generator("layout" to "instagram", "shard" to 3, "clock" to clock).use { g ->
            clock.advance(1_000_000_000)
            g.next()
            assertEquals(0L, g.stats().skewMs)
        }
        for ((shard, name) in listOf(4 to "cached", 5 to "monotonic")) {
            Generator("layout" to "instagram", "shard" to shard, "clock" to name, "protect" to false).use { g ->
                g.next()
                val skew = g.stats().skewMs
                assertTrue(kotlin.math.abs(skew) < 1000, "skew $skew")
            }
        }
        Snowid.next()
        assertTrue(kotlin.math.abs(Snowid.stats().skewMs) < 1000)
    }
}
