// snowid from plain Java: static methods, long IDs, checked SnowidException.
import dev.snowid.Generator;
import dev.snowid.Snowid;
import dev.snowid.SnowidException;
import java.util.Map;

public class JavaQuickstart {
    public static void main(String[] args) throws SnowidException {
        // START java-quickstart
        long id = Snowid.next();                                  // the process default generator
        long[] batch = Snowid.nextBatch(1000);                    // one call
        try (Generator gen = new Generator(Map.of("datacenter", 2, "worker", 7))) {
            System.out.println(Snowid.nodes(Snowid.inspect(gen.next())));   // {datacenter=2, worker=7}
        }
        try {
            Snowid.parse("not an id", "base32");
        } catch (SnowidException e) {
            System.out.println(e.errorCode() + ": " + e.getMessage());     // PARSE_LENGTH: code=PARSE_LENGTH, ...
        }
        // END java-quickstart
        if (batch.length != 1000 || batch[0] <= id) throw new AssertionError("batch");
        System.out.println("java      " + id + " " + Snowid.encode(id, "hex"));
    }
}
