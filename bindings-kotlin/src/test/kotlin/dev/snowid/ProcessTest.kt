package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/** Real JVM processes sharing a state directory. */
class ProcessTest {
    private fun stateDir(name: String): File {
        val base = File(System.getProperty("snowid.test.state") ?: "target/test-state")
        base.mkdirs()
        return Files.createTempDirectory(base.toPath(), name).toFile()
    }

    private fun child(state: File, vararg args: String): Process {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val cmd = mutableListOf(java, "-cp", System.getProperty("java.class.path"))
        System.getProperty("jna.library.path")?.let { cmd += "-Djna.library.path=$it" }
        cmd += "dev.snowid.ChildMain"
        cmd += args
        val pb = ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(File(state, "${args[2]}.log"))
        val env = pb.environment()
        env.keys.filter { it.startsWith("SNOWID_") }.forEach { env.remove(it) }
        env["SNOWID_STATE_DIR"] = state.path
        env["SNOWID_HOST_LOCK_DIR"] = "off"
        return pb.start()
    }

    private fun finish(p: Process, state: File, name: String) {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child $name finished")
        assertEquals(0, p.exitValue(), File(state, "$name.log").readText())
    }

    @Test
    fun twoJvmsWithoutConfigurationHoldDistinctSlotsAndNeverCollide() {
        val state = stateDir("two")
        val a = child(state, "hold", state.path, "a", "200000")
        val b = child(state, "hold", state.path, "b", "200000")
        val deadline = System.nanoTime() + 60_000_000_000L
        while (!(File(state, "a.ready").exists() && File(state, "b.ready").exists())) {
            assertTrue(System.nanoTime() < deadline && a.isAlive && b.isAlive, "both children claimed a slot")
            Thread.sleep(10)
        }
        val sourceA = File(state, "a.ready").readText()
        val sourceB = File(state, "b.ready").readText()
        assertTrue(sourceA.startsWith("local slot"), sourceA)
        assertNotEquals(sourceA, sourceB)
        File(state, "go").createNewFile()
        finish(a, state, "a")
        finish(b, state, "b")
        val idsA = File(state, "a.ids").readLines().map { it.toLong() }
        val idsB = File(state, "b.ids").readLines().map { it.toLong() }
        assertEquals(200_001, idsA.size)
        val nodesA = Snowid.nodes(Snowid.inspect(idsA[0], Layout.twitter()))
        val nodesB = Snowid.nodes(Snowid.inspect(idsB[0], Layout.twitter()))
        assertNotEquals(nodesA, nodesB)
        assertEquals(idsA.size + idsB.size, (idsA + idsB).toHashSet().size, "no duplicate across the JVMs")
    }

    @Test
    fun cleanExitLowersTheMarkToTheLastIssuedTick() {
        val state = stateDir("exit")
        finish(child(state, "exit", state.path, "first", "50000"), state, "first")
        val last = File(state, "first.last").readLines()[0].toLong()
        val lastTick = Snowid.inspect(last, Layout.twitter()).tick
        val marks = state.walkTopDown().filter { it.name.startsWith("slot-") && it.name.endsWith(".mark") }.toList()
        assertEquals(1, marks.size, marks.toString())
        val markTick = marks[0].readLines().first { it.startsWith("tick ") }.removePrefix("tick ").trim().toLong()
        assertTrue(markTick <= lastTick, "mark $markTick <= last ID's tick $lastTick (not a window ahead)")
        // The next process on that slot starts above the last ID.
        finish(child(state, "exit", state.path, "second", "1"), state, "second")
        val next = File(state, "second.last").readLines()[0].toLong()
        assertTrue(next > last)
    }
}
