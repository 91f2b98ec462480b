package dev.snowid

import com.google.gson.JsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.math.BigInteger
import java.util.UUID

/** UUIDv7 and ULID: testdata/vectors.json section "uuid", and what `java.util.UUID` reads. */
class UuidTest {
    private val v: JsonObject = Vectors.root.getAsJsonObject("uuid")
    private fun rows(name: String) = v.getAsJsonArray(name).map { it.asJsonObject }

    @Test
    fun uuid7IsAJavaUuidOfVersion7() {
        val a = Snowid.uuid7()
        val b = Snowid.uuid7()
        assertEquals(7, a.version())
        assertEquals(2, a.variant())
        assertTrue(BigInteger(a.toString().replace("-", ""), 16) < BigInteger(b.toString().replace("-", ""), 16))
        assertEquals(a, UUID.fromString(a.toString()))
        val ms = WideGenerator.layout("layout" to "uuid7").decode(BigInteger(a.toString().replace("-", ""), 16)).timestampMs
        assertEquals(a.mostSignificantBits ushr 16, ms.toLong())
    }

    @Test
    fun ulidAndExplicitGenerators() {
        val u = Snowid.ulid()
        assertEquals(26, u.length)
        assertTrue(u < Snowid.ulid())
        val g = WideGenerator("layout" to "uuid7", "datacenter" to 1, "worker" to 2, "protect" to false)
        assertEquals(7, g.nextUuid().version())
        val e = assertThrows(SnowidException::class.java) { g.nextUlid() }
        assertEquals("INVALID_SETTING", e.code)
    }

    @Test
    fun vectors() {
        for (c in rows("ids")) {
            val id = BigInteger(c["id"].asString)
            val bits = parseUuid(c["uuid"].asString)
            val u = UUID(bits.msb, bits.lsb)
            assertEquals(c["uuid"].asString, u.toString())
            assertEquals(id, BigInteger(c["bytes"].asString, 16))
            assertEquals(id.toString(), parseUlid(c["ulid"].asString))
            val l = WideGenerator.layout("layout" to c["preset"].asString)
            val p = l.decode(id)
            assertEquals(c["timestamp_ms"].asLong.toString(), p.timestampMs)
            assertEquals(c["sequence"].asLong, p.sequence)
        }
        for (a in rows("parse_aliases")) {
            val got = if (a["format"].asString == "uuid") {
                val b = parseUuid(a["input"].asString)
                BigInteger(UUID(b.msb, b.lsb).toString().replace("-", ""), 16).toString()
            } else {
                parseUlid(a["input"].asString)
            }
            assertEquals(a["id"].asString, got)
        }
        for (b in rows("invalid_strings")) {
            val e = assertThrows(SnowidException::class.java) {
                if (b["format"].asString == "uuid") parseUuid(b["input"].asString) else parseUlid(b["input"].asString)
            }
            assertEquals(b["code"].asString, e.code, b.toString())
        }
    }
}
