package dev.snowid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API from plain Java: static methods, Long/int types, checked codes. */
class JavaApiTest {
    @Test
    void defaultGenerator() throws SnowidException {
        // START java-default
        long id = Snowid.next();                          // the process default generator
        long[] batch = Snowid.nextBatch(1000);            // one call, 1000 IDs
        Parts parts = Snowid.inspect(id);                 // timestampMs, tick, sequence, nodes
        String text = Snowid.encode(id, "base32");        // 13 chars, sorts like the number
        // END java-default
        assertEquals(1000, batch.length);
        assertTrue(batch[0] > id);
        assertEquals(id, parts.getId());
        assertEquals(id, Snowid.parse(text, "base32"));
        assertEquals(Long.toUnsignedString(id), Snowid.encode(id));
        assertTrue(Snowid.source() != null);
        assertTrue(Snowid.stats().getIssued() >= 1001);
    }

    @Test
    void generatorsAndErrors() throws SnowidException {
        // START java-generator
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("datacenter", 1);
        options.put("worker", 7);
        try (Generator gen = new Generator(options)) {
            long id = gen.next();
            Map<String, Long> nodes = Snowid.nodes(Snowid.inspect(id));  // {datacenter=1, worker=7}
        }
        try {
            new Generator(Map.of("datacenter", 0, "worker", 99));
        } catch (SnowidException.FieldOutOfRange e) {
            System.out.println(e.getCode() + " " + e.getReason());       // FIELD_OUT_OF_RANGE worker = 99 ...
        } catch (SnowidException e) {
            System.out.println(e.errorCode());                           // any other code
        }
        // END java-generator
        SnowidException e = assertThrows(SnowidException.class, () -> new Generator(Map.of("datacenter", 0, "worker", 99)));
        assertEquals("FIELD_OUT_OF_RANGE", e.errorCode());
        assertEquals(10, e.errorNumber());
        assertEquals("invalid_input", e.errorKind());
        assertTrue(e instanceof SnowidException.FieldOutOfRange);
        assertEquals("FIELD_OUT_OF_RANGE", ((SnowidException.FieldOutOfRange) e).getCode());
    }

    @Test
    void layoutsAndRanges() throws SnowidException {
        Layout discord = Snowid.layout("discord");
        long at = 1_700_000_000_000L;
        long id = Snowid.compose(at, Map.of("worker", 1L, "process", 0L), 7L, discord);
        Parts p = Snowid.inspect(id, discord);
        assertEquals(7L, p.getSequence());
        assertEquals(at, p.getTimestampMs());
        assertTrue(Snowid.minIdAt(at, discord) <= id && id <= Snowid.maxIdAt(at, discord));
        assertEquals(4096000L, Snowid.capacity(discord).getIdsPerSecondPerNode());
        List<String> names = discord.nodeNames();
        assertEquals(List.of("worker", "process"), names);
        assertEquals(-1L, discord.maxId());                 // all 64 bits: the unsigned maximum
        assertEquals("18446744073709551615", Long.toUnsignedString(discord.maxId()));
    }

    @Test
    void segments() throws Exception {
        // START java-segment
        String url = "file://" + java.nio.file.Files.createTempDirectory("snowid-segments");
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("store", url);                        // file:///dir, postgres://..., redis://...
        options.put("step", 100);
        options.put("maxStep", 10_000);
        try (Segment orders = new Segment("orders", options)) {
            long first = orders.next();                   // 1, 2, 3... per key
            SegmentStats stats = orders.stats();          // getRangesFetched(), getStep(), getWaits()...
        }
        // END java-segment
        try (Segment orders = new Segment("orders", url, null)) {
            long next = orders.next();
            assertTrue(next > 1, "a new range after the first");
            assertTrue(orders.stats().getRangesFetched() >= 1);
        }
        SnowidException e = assertThrows(SnowidException.class,
            () -> new Segment("orders", Map.of("store", url, "prefetchAt", 100)).close());
        assertEquals("INVALID_SETTING", e.errorCode());
    }
}
