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
}
