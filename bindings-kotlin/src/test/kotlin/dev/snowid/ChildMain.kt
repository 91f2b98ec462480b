package dev.snowid

import java.io.File

/**
 * A second JVM for the process tests (ProcessTest), run with the test class
 * path and no configuration but `SNOWID_STATE_DIR`:
 *
 * - `hold <dir> <name> <count>`: take an ID (claiming a local slot), write
 *   `<name>.ready` with the source, wait for `go`, write `count` IDs to
 *   `<name>.ids`, exit normally.
 * - `exit <dir> <name> <count>`: `count` IDs, write the last one and the
 *   source to `<name>.last`, exit normally (the shutdown hook lowers the mark).
 */
object ChildMain {
    @JvmStatic
    fun main(args: Array<String>) {
        val (mode, dirName, name, countText) = args
        val dir = File(dirName)
        val count = countText.toInt()
        val first = Snowid.next()
        when (mode) {
            "hold" -> {
                File(dir, "$name.ready").writeText(Snowid.source()!!)
                val deadline = System.nanoTime() + 60_000_000_000L
                while (!File(dir, "go").exists()) {
                    check(System.nanoTime() < deadline) { "no go file" }
                    Thread.sleep(5)
                }
                val ids = Snowid.nextBatch(count)
                File(dir, "$name.ids").writeText((listOf(first) + ids.toList()).joinToString("\n"))
            }
            "exit" -> {
                var last = first
                repeat(count - 1) { last = Snowid.next() }
                File(dir, "$name.last").writeText("$last\n${Snowid.source()}")
            }
            else -> error("unknown mode $mode")
        }
    }
}
