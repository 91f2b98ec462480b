package dev.snowid

import com.google.gson.JsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Keyed public IDs against the vectors of the independent FF1 model; bad input is a coded error. */
class PublicIdsTest {
    private val p: JsonObject = Vectors.root.getAsJsonObject("public_ids")

    private fun list(name: String) = p.getAsJsonArray(name).map { it.asJsonObject }

    private fun hex(s: String) = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

    private fun make(v: JsonObject) = PublicIds(hex(v["key_hex"].asString), v["context"].asString)

    @Test
    fun vectors() {
        for (v in list("cases")) {
            val ids = make(v)
            assertEquals(v["text"].asString, ids.encode(Vectors.id(v["id"])), v.toString())
            assertEquals(v["text"].asString, ids.encode(Vectors.id(v["id"]).toULong()))
            assertEquals(Vectors.id(v["id"]), ids.decode(v["text"].asString), v.toString())
            assertEquals(Vectors.id(v["id"]).toULong(), ids.decodeUnsigned(v["text"].asString))
        }
        for (v in list("aliases")) {
            assertEquals(Vectors.id(v["id"]), make(v).decode(v["text"].asString), v.toString())
        }
        for (v in list("invalid_texts")) {
            val e = assertThrows(SnowidException::class.java) { make(v).decode(v["text"].asString) }
            assertEquals(v["code"].asString, e.code, v.toString())
        }
        for (v in list("invalid_keys")) {
            val e = assertThrows(SnowidException::class.java) { PublicIds(hex(v["key_hex"].asString)) }
            assertEquals(v["code"].asString, e.code, v.toString())
            assertTrue(e is SnowidException.PublicIdKey)
        }
        for (v in list("invalid_contexts")) {
            val e = assertThrows(SnowidException::class.java) { PublicIds(ByteArray(16), v["context"].asString) }
            assertEquals(v["code"].asString, e.code, v.toString())
        }
    }

    @Test
    fun checkFailsForAnotherContextAndNamesTheText() {
        val key = ByteArray(32) { it.toByte() }
        val users = PublicIds(key, "users")
        val text = users.encode(-1L)
        assertEquals(-1L, users.decode(text))
        assertEquals(ULong.MAX_VALUE, users.decodeUnsigned(text))
        val e = assertThrows(SnowidException::class.java) { PublicIds(key).decode(text) }
        assertTrue(e is SnowidException.PublicIdCheck)
        assertTrue(e.message!!.contains(text), e.message)
        assertNotEquals(text, PublicIds(key).encode(-1L))
        assertEquals("PublicIds(context=\"users\")", users.toString())
    }
}
