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

    @Test
    fun statsReportTheRunwayTheNodeNumbersAndTheLease() {
        val start = 1_700_000_000_000
        val clock = ManualClock(start)
        Generator("layout" to "instagram", "shard" to 6, "clock" to clock).use { g ->
            val cap = Snowid.capacity(g.layout())
            val s = g.stats()
            assertEquals((cap.endMs - start) / 1000, s.runwayS)
            assertEquals(listOf(cap.nodes, 1L, cap.nodes - 1), listOf(s.nodesTotal, s.nodesInUse, s.nodesFree))
            assertEquals(null, s.leaseTtlLeftMs)
            clock.advance(5_000)
            assertEquals(s.runwayS - 5, g.stats().runwayS)
        }
    }

    @Test
    fun randomSequenceStartSpreadsIdsOverShards() {
        // 100 IDs/s on a manual clock: plain IDs all land on shard 0 of 16.
        fun shards(random: Boolean): IntArray {
            val clock = ManualClock(1_700_000_000_000)
            val counts = IntArray(16)
            Generator("datacenter" to 1, "worker" to 7, "clock" to clock, "randomSequenceStart" to random).use { g ->
                repeat(1600) {
                    counts[(g.next() % 16).toInt()] += 1
                    clock.advance(10)
                }
            }
            return counts
        }
        assertEquals(1600, shards(false)[0])
        val spread = shards(true)
        assertTrue(spread.all { it in 60..140 }, spread.joinToString())
    }

    @Test
    fun lanesHoldSeveralNodeNumbers() {
        val clock = ManualClock(1_700_000_000_000)
        Generator("datacenter" to 1, "worker" to 7, "clock" to clock, "lanes" to 2).use { g ->
            val ids = g.nextBatch(9000)
            assertEquals(8192, ids.size, "two lanes x 4096 in one tick")
            assertEquals(8192, ids.toSet().size)
            // datacenter 1, worker 7 is node number 39: two lanes own the block 78, 79
            assertEquals(setOf(14L, 15L), ids.map { Snowid.nodes(Snowid.inspect(it))["worker"] }.toSet())
            assertEquals(8192L, g.stats().issued)
        }
        val e = org.junit.jupiter.api.assertThrows<SnowidException> {
            Generator("datacenter" to 31, "worker" to 31, "lanes" to 2, "protect" to false)
        }
        assertTrue(e.message!!.contains("lanes"), e.message)
    }
}
