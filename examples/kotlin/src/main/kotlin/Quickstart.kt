// snowid from Kotlin: the default generator, a generator of your own,
// decoding, encoding, range queries and errors. Run: make -C bindings-kotlin demo
import dev.snowid.Generator
import dev.snowid.Snowid
import dev.snowid.SnowidException
import dev.snowid.code
import dev.snowid.node
import java.time.Instant

fun main() {
    // START kotlin-quickstart
    val id = Snowid.next()                          // Long: the process default generator
    val parts = Snowid.inspect(id)                  // timestampMs, tick, sequence, nodes
    val text = Snowid.encode(id, "base62")          // 11 chars that sort like the numbers
    val batch = Snowid.nextBatch(1000)              // LongArray, filled in one call

    Generator("datacenter" to 1, "worker" to 7).use { gen ->
        val mine = gen.next()                       // lock-free; share `gen` between threads
        check(Snowid.inspect(mine).node("worker") == 7L)
    }
    try {
        Generator("datacenter" to 0, "worker" to 99)
    } catch (e: SnowidException.FieldOutOfRange) {
        println("${e.code}: ${e.reason}")           // FIELD_OUT_OF_RANGE: worker = 99 is out of range; ...
    }
    // END kotlin-quickstart
    check(batch.size == 1000 && batch[0] > id && Snowid.parse(text, "base62") == id)

    // START kotlin-ranges
    val from = Instant.parse("2024-01-01T00:00:00Z")
    val lo = Snowid.minIdAt(from)                   // WHERE id >= lo: every ID made from `from` on
    val hi = Snowid.maxIdAt(Instant.now())          // AND id <= hi
    // END kotlin-ranges
    check(lo < id && id <= hi)

    // START kotlin-discord
    val discord = Snowid.layout("discord")          // all 64 bits: a Long holds the ID's bits
    val late = Snowid.compose(4_000_000_000_000, mapOf("worker" to 1L, "process" to 0L), layout = discord)
    val unsigned = java.lang.Long.toUnsignedString(late)   // same text as Snowid.encode(late)
    // END kotlin-discord
    check(late < 0 && unsigned == Snowid.encode(late))

    println("id        $id (${Snowid.timestamp(parts)}, ${Snowid.nodes(parts)})")
    println("base62    $text")
    println("source    ${Snowid.source()}")
    println("range     $lo..$hi")
    println("discord   $late as a Long is $unsigned")
    println("stats     ${Snowid.stats()}")
}
