package dev.snowid

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/**
 * RemoteGenerator against the real `snowid serve` on loopback, started here
 * and stopped by its PID. Runs in the root `make test-remote`, which builds
 * the server and sets SNOWID_SERVER_BIN (skipped without it).
 */
class RemoteTest {
    private val bin: String? = System.getenv("SNOWID_SERVER_BIN")

    private class Served(val process: Process, val url: String) : AutoCloseable {
        override fun close() {
            process.destroyForcibly()
            process.waitFor(10, TimeUnit.SECONDS)
        }
    }

    private fun serve(vararg args: String): Served {
        val state = Files.createTempDirectory("snowid-kt-remote-")
        val pb = ProcessBuilder(listOf(bin!!, "serve", "--listen", "127.0.0.1:0") + args)
        pb.environment().keys.removeIf { it.startsWith("SNOWID_") }
        pb.environment()["SNOWID_STATE_DIR"] = state.toString()
        pb.environment()["SNOWID_HOST_LOCK_DIR"] = "off"
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD)
        val p = pb.start()
        val line = p.errorStream.bufferedReader().readLine() ?: ""
        // keep draining stderr so the server never blocks on it
        Thread { p.errorStream.readAllBytes() }.apply { isDaemon = true }.start()
        val url = "http://" + line.substringAfter("http://").substringBefore(' ')
        return Served(p, url)
    }

    @Test
    fun idsIncreaseAndAreUnique() {
        assumeTrue(bin != null, "SNOWID_SERVER_BIN is not set (make test-remote sets it)")
        serve().use { s ->
            RemoteGenerator(s.url, "batch" to 100).use { g ->
                g.ready()
                val ids = (1..500).map { g.next() } + g.nextBatch(300L)
                assertTrue(ids.zipWithNext().all { (a, b) -> a < b })
                assertEquals(ids.size, ids.toSet().size)
                assertEquals(s.url, g.url())
                assertTrue(g.stats().batchesFetched >= 8)
            }
        }
    }

    @Test
    fun badOptionsAreCodedErrors() {
        fun code(url: String, vararg o: Pair<String, Any?>): String =
            assertThrows(SnowidException::class.java) { RemoteGenerator(url, *o).close() }.code
        assertEquals("INVALID_SETTING", code("ftp://h"))
        assertEquals("INVALID_SETTING", code("http://h", "batch" to 0))
        assertEquals("INVALID_SETTING", code("http://h", "timeoutMs" to 600_001))
        assertEquals("INVALID_SETTING", code("http://h", "token" to ""))
        assertEquals("SEGMENT_KEY", code("http://h", "key" to "a/b"))
        assertEquals("WRONG_TYPE", code("http://h", "batch" to "10"))
        assertEquals("INVALID_SETTING", code("http://h", "bogus" to 1))
        val e = assertThrows(SnowidException::class.java) { RemoteGenerator("http://h", "token" to "a b").close() }
        assertFalse(e.message!!.contains("a b"), e.message)
    }

    /** The `remote` vectors: options -> the normalised URL or the error code (no server needed). */
    @Test
    fun vectorsOptions() {
        var run = 0
        for (c in Vectors.root.getAsJsonObject("remote").getAsJsonArray("cases").map { it.asJsonObject }) {
            val pairs = c.getAsJsonArray("options").map { it.asJsonArray }
            val names = pairs.map { it[0].asString }
            val url = pairs.firstOrNull { it[0].asString == "url" }?.get(1)
            // the URL is the positional String argument here
            if (names.toSet().size != names.size || url == null || !url.asJsonPrimitive.isString) continue
            val opts = LinkedHashMap<String, Any?>()
            for (p in pairs.filter { it[0].asString != "url" }) {
                val v = p[1].asJsonPrimitive
                opts[p[0].asString] = when {
                    v.isBoolean -> v.asBoolean
                    v.isNumber -> v.asLong
                    else -> v.asString
                }
            }
            if (c["error"].isJsonNull) {
                RemoteGenerator(url.asString, opts).use { g ->
                    assertEquals(c.getAsJsonObject("settings")["url"].asString, g.url(), c.toString())
                }
            } else {
                val e = assertThrows(SnowidException::class.java) { RemoteGenerator(url.asString, opts).close() }
                assertEquals(c["error"].asString, e.code, c.toString())
            }
            run++
        }
        assertTrue(run > 40, "cases run: $run")
    }

    @Test
    fun codedErrorsWhenTheServerIsDownStalledOrRefusesTheToken() {
        assumeTrue(bin != null, "SNOWID_SERVER_BIN is not set (make test-remote sets it)")
        val port = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
        RemoteGenerator("http://127.0.0.1:$port", "timeout_ms" to 300).use { g ->
            assertEquals("REMOTE_UNAVAILABLE", assertThrows(SnowidException::class.java) { g.next() }.code)
        }
        ServerSocket(0, 8, InetAddress.getLoopbackAddress()).use { stalled ->
            RemoteGenerator("http://127.0.0.1:${stalled.localPort}", "timeout_ms" to 300).use { g ->
                assertEquals("REMOTE_TIMEOUT", assertThrows(SnowidException::class.java) { g.next() }.code)
            }
        }
        val tf = Files.createTempFile("snowid-kt-token-", "")
        Files.writeString(tf, "s3cret\n")
        serve("--token-file", tf.toString()).use { s ->
            RemoteGenerator(s.url, "token" to "wrong").use { g ->
                assertEquals("UNAUTHORIZED", assertThrows(SnowidException::class.java) { g.next() }.code)
            }
            RemoteGenerator(s.url, "token" to "s3cret").use { g -> assertTrue(g.next() < g.next()) }
        }
    }
}
