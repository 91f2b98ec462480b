package dev.snowid

import com.sun.jna.JNIEnv
import com.sun.jna.Native

/**
 * The JNI fast path (`bindings-kotlin/src/fast.rs`): IDs without uniffi's
 * per-call cost. Its methods are bound by `RegisterNatives` from the library
 * JNA already loaded for the generated code, so there is one copy of the
 * library (and of the default generator) per JVM.
 *
 * A failing call returns a marker (`0` for an ID, `-1` for a count) and
 * leaves the error pending on this thread; [takePendingError] throws it.
 */
internal object NativeFast {
    init {
        check(Binder.snowid_kotlin_bind_fast_path(JNIEnv.CURRENT) == 0) {
            "snowid: could not bind the JNI fast path"
        }
    }

    /** The next ID of the default generator, or 0 (maybe an error pending). */
    @JvmStatic external fun nextDefault(): Long

    /** The next ID of the generator behind `handle`, or 0. */
    @JvmStatic external fun next(handle: Long): Long

    /** `n` if it is a valid batch length (checked by the core), else -1. */
    @JvmStatic external fun batchLen(n: Long): Int

    /** Fills `out[0 until n]`; how many were written, or -1. `handle` 0 is the default generator. */
    @JvmStatic external fun fill(handle: Long, out: LongArray, n: Int): Int

    /** Gives back a handle from `NativeGenerator.leanHandle()`. */
    @JvmStatic external fun release(handle: Long)

    /** JNA direct mapping of the one bootstrap function, on the library uniffi loads. */
    private object Binder {
        init {
            val name = System.getProperty("uniffi.component.snowid.libraryOverride") ?: "snowid_kotlin"
            Native.register(Binder::class.java, name)
        }

        @Suppress("FunctionName")
        external fun snowid_kotlin_bind_fast_path(env: JNIEnv): Int
    }

    /** An ID from a fast call: `0` may mean an error, thrown here. */
    @JvmStatic
    fun id(raw: Long): Long {
        if (raw == 0L) takePendingError()
        return raw
    }

    /** A count from a fast call: `-1` means an error, thrown here. */
    @JvmStatic
    fun count(raw: Int): Int {
        if (raw < 0) {
            takePendingError()
            throw IllegalStateException("snowid: fast call failed without an error")
        }
        return raw
    }

    /** `n` IDs of the generator behind `handle` (0: the default generator). */
    @JvmStatic
    fun batch(handle: Long, n: Long): LongArray {
        val len = count(batchLen(n))
        val out = LongArray(len)
        if (len == 0) return out
        val got = count(fill(handle, out, len))
        return if (got == len) out else out.copyOf(got)
    }

    /** Fills `out` with IDs of the generator behind `handle`; how many. */
    @JvmStatic
    fun into(handle: Long, out: LongArray): Int {
        val len = count(batchLen(out.size.toLong()))
        return if (len == 0) 0 else count(fill(handle, out, len))
    }
}
