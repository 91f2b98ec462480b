// ns per ID in one warm JVM: snowid's fast path (JNI) and its generated
// uniffi path against Hutool's Snowflake and tsid-creator. Best of 5 timed
// runs after a warm-up; prints a table and never fails on speed.
import cn.hutool.core.lang.Snowflake
import com.github.f4b6a3.tsid.TsidCreator
import dev.snowid.FieldSpec
import dev.snowid.Generator
import dev.snowid.LayoutSpec
import dev.snowid.Snowid
import java.util.concurrent.atomic.AtomicLong

private val ITER = (System.getenv("BENCH_ITER") ?: "4000000").toInt()
private var sink = 0L

/** Best of 5 runs of `n` calls of `one`, ns per call. */
private fun perCall(n: Int = ITER, one: () -> Long): Double {
    repeat(3) { for (i in 0 until minOf(n, 200_000)) sink += one() }
    return (1..5).minOf {
        val t0 = System.nanoTime()
        for (i in 0 until n) sink += one()
        (System.nanoTime() - t0).toDouble() / n
    }
}

/** Best of 5 runs of batches of `size` (`rounds` batches per run), ns per ID. */
private fun perId(size: Int, rounds: Int, batch: (Int) -> LongArray): Double {
    repeat(rounds / 4 + 1) { sink += batch(size)[0] }
    return (1..5).minOf {
        val t0 = System.nanoTime()
        for (i in 0 until rounds) sink += batch(size)[size - 1]
        (System.nanoTime() - t0).toDouble() / (rounds.toLong() * size)
    }
}

fun main() {
    val rows = mutableListOf<Triple<String, Double, String>>()
    fun row(name: String, ns: Double, note: String = "") = rows.add(Triple(name, ns, note)).also {
        System.err.printf("%-52s %8.1f ns%n", name, ns)
    }

    val counter = AtomicLong()
    row("AtomicLong.incrementAndGet() (floor)", perCall { counter.incrementAndGet() }, "not an ID")

    // The Twitter layout caps one node at 4096 IDs per ms (244 ns per ID in a
    // tight loop, by design: the generator waits rather than repeat), and so
    // does Hutool. The per-call rows use a 20-bit sequence so the cap is not
    // what is measured (as the Node and Python benchmarks do).
    val wide = Snowid.layout(LayoutSpec("wide", listOf(FieldSpec("timestamp", 41), FieldSpec("node", 2), FieldSpec("sequence", 20)), 1_704_067_200_000))
    Snowid.configure("layout" to wide, "node" to 1)
    row("snowid Snowid.next(), wide layout", perCall { Snowid.next() }, "JNI fast path")
    row("snowid Snowid.nextBatch(1000) per ID, wide layout", perId(1000, 2000) { Snowid.nextBatch(it) }, "one JNI call per batch")
    val out = LongArray(1000)
    row("snowid Snowid.nextInto(LongArray(1000)) per ID, wide", perId(1000, 2000) { Snowid.nextInto(out); out }, "no allocation")
    Generator("layout" to wide, "node" to 2).use { g ->
        row("snowid Generator.next(), wide layout", perCall { g.next() }, "JNI + close-safety counter")
    }
    row("snowid generated uniffi next(), wide layout", perCall(ITER / 40) { dev.snowid.next() }, "JNA: why the fast path exists")
    // Twitter: a row is "cap-bound" only if the generator waited for a tick
    // while it was timed (stats().overflowWaits).
    Generator("datacenter" to 0, "worker" to 9).use { g ->
        fun capBound(before: Long) = if (g.stats().overflowWaits > before) " (cap-bound)" else ""
        var waits = g.stats().overflowWaits
        val one = perCall(ITER / 4) { g.next() }
        row("snowid Generator.next(), twitter${capBound(waits)}", one, "${g.stats().overflowWaits - waits} overflow waits while timed")
        waits = g.stats().overflowWaits
        val batch = perId(1000, 1000) { g.nextBatch(it) }
        row("snowid Generator.nextBatch(1000), twitter${capBound(waits)}", batch, "${g.stats().overflowWaits - waits} overflow waits while timed")
    }

    val hutool = Snowflake(1, 1)
    row("Hutool Snowflake#nextId (cap-bound)", perCall(ITER / 4) { hutool.nextId() }, "twitter bits: 4096 per ms")
    row("tsid-creator TsidCreator.getTsid().toLong()", perCall { TsidCreator.getTsid().toLong() }, "22 random/counter bits")

    val ref = rows.single { it.first.startsWith("Hutool") }.second
    val w = rows.maxOf { it.first.length }
    println("java ${System.getProperty("java.version")}, ${ITER} calls per row (best of 5 after warm-up)")
    println("${"what".padEnd(w)} |   ns/ID | vs Hutool | note")
    println("${"-".repeat(w)}-|---------|-----------|-----")
    for ((name, ns, note) in rows) {
        println("${name.padEnd(w)} | ${"%7.1f".format(ns)} | ${"%8.2fx".format(ns / ref)} | $note")
    }
    if (sink == 42L) println()
}
