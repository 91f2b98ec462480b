package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File
import java.nio.file.Files

/** `ready()`: no ID spent; while the next ID would fail, that ID's exception. */
class ReadyTest {
    private fun stateDir(name: String): File {
        val base = File(System.getProperty("snowid.test.state") ?: "target/test-state")
        base.mkdirs()
        return Files.createTempDirectory(base.toPath(), name).toFile()
    }

    /** `block` throws what `again` throws: the same class and code. */
    private fun sameError(cls: Class<out SnowidException>, code: String, block: () -> Unit, again: () -> Unit) {
        val r = assertThrows(cls) { block() }
        val n = assertThrows(cls) { again() }
        assertEquals(code, r.code, r.message)
        assertEquals(code, n.code, n.message)
    }

    @Test
    fun readySpendsNoIdAndReportsWhatTheNextIdWould() {
        val clock = ManualClock(1_700_000_000_000)
        Generator("layout" to "instagram", "shard" to 3, "lanes" to 2, "clock" to clock, "onRegression" to "fail").use { g ->
            repeat(3) { g.ready() }
            assertEquals(0L, g.stats().issued)
            assertEquals(2048, g.nextBatch(2048).size, "both lanes' sequences spent")
            sameError(SnowidException.SequenceExhausted::class.java, "SEQUENCE_EXHAUSTED", { g.ready() }, { g.next() })
            clock.advance(1)
            g.ready()
            g.next()
            clock.advance(-5)
            sameError(SnowidException.ClockMovedBackwards::class.java, "CLOCK_MOVED_BACKWARDS", { g.ready() }, { g.next() })
            assertEquals(2049L, g.stats().issued)
        }
    }

    @Test
    fun aMarkAnHourAheadIsBehindHighWater() {
        val state = stateDir("ready")
        val opts = arrayOf("datacenter" to 9, "worker" to 10, "stateDir" to state.path)
        val mark: File
        val left: ByteArray
        Generator(*opts, "windowMs" to 3_600_000).use { g ->
            g.ready()
            assertEquals(0L, g.stats().issued)
            g.next()
            g.ready()
            assertEquals(1L, g.stats().issued)
            // What a holder killed now would leave: its mark an hour ahead.
            mark = state.walk().single { it.name.endsWith(".mark") }
            left = mark.readBytes()
        } // close() lowers the mark; the killed holder never did
        mark.writeBytes(left)
        Generator(*opts).use { g ->
            sameError(SnowidException.BehindHighWater::class.java, "BEHIND_HIGH_WATER", { g.ready() }, { g.next() })
            assertEquals(0L, g.stats().issued)
        }
        // Other numbers in the same directory are not behind.
        Generator("datacenter" to 9, "worker" to 11, "stateDir" to state.path).use { it.ready() }
    }

    @Test
    fun defaultReadyIsReachedAsNextReachesIt() {
        Snowid.ready() // created on first use, as Snowid.next() would
        assertTrue(Snowid.source() != null)
        val before = Snowid.stats().issued
        repeat(3) { Snowid.ready() }
        assertEquals(before, Snowid.stats().issued)
    }

    @Test
    fun laneNodesListEveryLane() {
        val clock = ManualClock(1_700_000_000_000)
        Generator("datacenter" to 1, "worker" to 30, "lanes" to 3, "clock" to clock).use { g ->
            val lanes = g.laneNodes()
            // Node number 1 x 32 + 30 = 62 with 3 lanes is the block 186..188.
            assertEquals(
                listOf(
                    mapOf("datacenter" to 5L, "worker" to 26L),
                    mapOf("datacenter" to 5L, "worker" to 27L),
                    mapOf("datacenter" to 5L, "worker" to 28L),
                ),
                lanes,
            )
            assertEquals(lanes[0], g.nodes())
            assertEquals(listOf("datacenter", "worker"), lanes[2].keys.toList())
            // Every lane's numbers are the ones its IDs carry.
            val carried = g.nextBatch(3 * 4096).map { Snowid.nodes(Snowid.inspect(it)) }.toSet()
            assertEquals(lanes.toSet(), carried)
        }
        Generator("layout" to "instagram", "shard" to 5, "clock" to clock).use { g ->
            assertEquals(listOf(mapOf("shard" to 5L)), g.laneNodes())
        }
    }
}
