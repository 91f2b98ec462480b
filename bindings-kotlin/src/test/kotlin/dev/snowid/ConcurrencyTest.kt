package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

class ConcurrencyTest {
    private fun noDuplicates(perThread: List<LongArray>) {
        for (ids in perThread) {
            for (i in 1 until ids.size) assertTrue(ids[i] > ids[i - 1], "each thread's IDs increase")
        }
        val all = LongArray(perThread.sumOf { it.size })
        var at = 0
        for (ids in perThread) { ids.copyInto(all, at); at += ids.size }
        all.sort()
        for (i in 1 until all.size) if (all[i] == all[i - 1]) throw AssertionError("duplicate ${all[i]}")
    }

    private fun inThreads(threads: Int, each: Int, next: () -> Long): List<LongArray> {
        val pool = Executors.newFixedThreadPool(threads)
        val futures = (1..threads).map { pool.submit<LongArray> { LongArray(each) { next() } } }
        val out = futures.map { it.get(120, TimeUnit.SECONDS) }
        pool.shutdown()
        return out
    }

    @Test
    fun fourThreadsMillionEachOneGenerator() {
        Generator("datacenter" to 3, "worker" to 3).use { gen ->
            noDuplicates(inThreads(4, 1_000_000) { gen.next() })
            assertEquals(4_000_000L, gen.stats().issued)
        }
    }

    @Test
    fun fourThreadsOnTheDefaultGeneratorWithBatches() {
        val pool = Executors.newFixedThreadPool(4)
        val futures = (1..4).map {
            pool.submit<LongArray> {
                val out = LongArray(250_000)
                var at = 0
                while (at < out.size) {
                    if (at % 2 == 0) out[at++] = Snowid.next()
                    else { val b = Snowid.nextBatch(minOf(999, out.size - at)); b.copyInto(out, at); at += b.size }
                }
                out
            }
        }
        noDuplicates(futures.map { it.get(120, TimeUnit.SECONDS) })
        pool.shutdown()
    }
}
