package dev.snowid

/**
 * IDs from a `snowid serve` at `url` (`http://` or `https://`), fetched in
 * batches by a background thread and handed out from a local buffer (no
 * lock, no I/O per ID): the answer to `NODE_SOURCE_REQUIRED` for processes
 * with no node identity of their own (a Deployment, Lambda, Cloud Run).
 * When the buffer is empty a call waits at most `timeout_ms`, then throws
 * `SnowidException.RemoteTimeout`, `.RemoteUnavailable` or `.Unauthorized`.
 * Thread-safe; keep one per process and [close] it (it is [AutoCloseable]).
 *
 * Options, resolved by the core (as Python's `RemoteGenerator(url, **options)`
 * and Node's `new RemoteGenerator({ url, ... })`), keys in snake_case or
 * lowerCamelCase:
 * <!-- BEGIN GENERATED options:kt-remote (make options) -->
 * - `prefetch_at`: integer 0..=99: percent of a range (a batch) used before
 *   the next is fetched in the background; default 10 (as Meituan Leaf)
 * - `url`: `http://host[:port][/prefix]` or `https://...` of a `snowid
 *   serve`; default required
 * - `token`: the service's bearer token (its `--token-file` or
 *   `SNOWID_TOKEN`); default none (no `Authorization` header)
 * - `key`: a segment key: the key's dense IDs
 *   (`/v1/segments/{key}/next_ids`); default none (Snowflake IDs of the
 *   service's generator)
 * - `batch`: integer 1..=65536: IDs per request (at most the service's
 *   `--max-batch`); default 4096
 * - `timeout_ms`: integer 1..=600000: longest wait for an ID when the buffer
 *   is empty (retries with backoff inside it), and for one request; default
 *   5000
 * <!-- END GENERATED options:kt-remote -->
 *
 * ```kotlin
 * RemoteGenerator("http://ids.internal:8080", "token" to token).use { it.next() }
 * ```
 * ```java
 * try (RemoteGenerator g = new RemoteGenerator(url, Map.of("token", token))) { g.next(); }
 * ```
 *
 * @throws SnowidException the core's error for a bad URL or option
 *   (`INVALID_SETTING`, naming the option and its valid range; never the token).
 */
class RemoteGenerator private constructor(private val native: NativeRemoteGenerator) : AutoCloseable {
    /** Options by name (a `LinkedHashMap` keeps the order errors are reported in). */
    @Throws(SnowidException::class)
    constructor(url: String, options: Map<String, Any?>) :
        this(NativeRemoteGenerator(Options.text(url), Options.entries(options)))

    /** Kotlin: `RemoteGenerator(url, "token" to t, "batch" to 1000)`; `RemoteGenerator(url)`: the defaults. */
    @Throws(SnowidException::class)
    constructor(url: String, vararg options: Pair<String, Any?>) : this(url, linkedMapOf(*options))

    private val url: String = native.url()

    @Volatile
    private var closed = false

    private inline fun <R> open(block: NativeRemoteGenerator.() -> R): R {
        check(!closed) { "this RemoteGenerator is closed" }
        return native.block()
    }

    /** The service's URL, normalised (never the token). */
    fun url(): String = url

    /** The next ID (waits at most `timeout_ms` when the buffer is empty). */
    @Throws(SnowidException::class)
    fun next(): Long = open { next() }

    /** `n` IDs (at most 2^24), increasing as the service issued them. */
    @Throws(SnowidException::class)
    fun nextBatch(n: Long): List<Long> = open { nextBatch(n) }

    /** Waits at most `timeout_ms` until the buffer holds IDs; takes none. */
    @Throws(SnowidException::class)
    fun ready(): Unit = open { ready() }

    /** Counters: batches fetched, failed requests, waits, fetch latency, whether the next batch is buffered. */
    fun stats(): RemoteStats = open { stats() }

    /** Releases the native generator and stops its thread (idempotent); later calls throw [IllegalStateException]. */
    override fun close() {
        closed = true
        native.close()
    }

    override fun toString(): String = "RemoteGenerator($url)"
}
