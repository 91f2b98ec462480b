//! Fork detection: a process-wide generation counter bumped in every forked
//! child, so generators (and the default generator) made before a `fork()`
//! know they are copies.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

use crate::clock::CachedClock;

pub(crate) static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Tells snowid that this process is the child of a `fork()`. Every generator
/// created before it then returns [`Error::Forked`] instead of issuing IDs
/// that could collide with the parent's, and the cached clock restarts its
/// thread. On Unix the core registers it with `pthread_atfork` when the first
/// generator is made, so every `fork()` through the C library (Rust's
/// `libc::fork`/`nix`, Python's `os.fork`, C's `fork`) is covered without
/// help. Call it yourself only after a fork that bypasses the C library's
/// handlers (a raw `clone`/`SYS_fork` system call); calling it more than
/// once per fork is harmless.
pub fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, SeqCst);
    CachedClock::after_fork();
}

/// Registers [`after_fork_in_child`] as a `pthread_atfork` child handler,
/// once per process. The handler touches only atomics and `getpid`, both
/// safe in a forked child of a multi-threaded process.
pub(crate) fn watch_forks() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            extern "C" fn child() {
                after_fork_in_child();
            }
            at_fork(None, None, Some(child));
        });
    }
}

/// The current fork generation (how many times [`after_fork_in_child`] ran).
pub fn fork_generation() -> u64 {
    FORK_GENERATION.load(SeqCst)
}

/// Registers `pthread_atfork` handlers (Unix; a no-op elsewhere). The
/// handlers must live as long as this code is loaded (glibc unregisters a
/// shared object's handlers when it is unloaded) and, in the child, do only
/// what is safe after forking a multi-threaded process.
pub(crate) fn at_fork(
    prepare: Option<extern "C" fn()>,
    parent: Option<extern "C" fn()>,
    child: Option<extern "C" fn()>,
) {
    #[cfg(unix)]
    {
        extern "C" {
            fn pthread_atfork(
                prepare: Option<extern "C" fn()>,
                parent: Option<extern "C" fn()>,
                child: Option<extern "C" fn()>,
            ) -> std::os::raw::c_int;
        }
        // SAFETY: the C library's pthread_atfork with valid function
        // pointers (see above).
        unsafe {
            pthread_atfork(prepare, parent, child);
        }
    }
    #[cfg(not(unix))]
    let _ = (prepare, parent, child);
}
