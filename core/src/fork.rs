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
    close_inherited_locks();
}

/// Registers [`after_fork_in_child`] as a `pthread_atfork` child handler,
/// once per process. The handler touches only atomics, `getpid` and `close`,
/// all safe in a forked child of a multi-threaded process.
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

/// How many lock descriptors can be held at once (takes of the file store in
/// flight in this process); a taker past this waits for a free place.
const HELD_LOCKS: usize = 64;

/// Descriptors that hold (or are about to hold) a `flock` a forked child
/// must not keep: `pid << 32 | fd` of the process that opened them, 0 when
/// free.
static HELD: [AtomicU64; HELD_LOCKS] = [const { AtomicU64::new(0) }; HELD_LOCKS];

/// A lock descriptor registered with [`parent_only`]: a child forked while
/// it lives closes its copy at once (see [`close_inherited_locks`]).
/// Dropping it unregisters the descriptor; drop it before closing the
/// descriptor.
#[derive(Debug)]
pub(crate) struct ParentOnly {
    slot: Option<usize>,
}

/// Registers `file`, which this process is about to `flock`, so that a child
/// forked while the lock is held does not keep it.
///
/// A `flock` belongs to the open file description, which `fork()` shares
/// with the child: without this, the lock lives as long as the child (a
/// prefork worker, for hours), every other process of the key waits for
/// it, and a child that opens the key itself waits for itself forever.
/// Two rules close that: the child's handler closes the copies registered
/// here (closing a copy never releases the parent's lock), and the owner
/// unlocks explicitly (`LOCK_UN`, which releases the lock for every copy,
/// even one a child forked between `open` and this call kept) before it
/// closes. The child never writes under the lock: the thread that held it
/// does not exist there.
pub(crate) fn parent_only(file: &std::fs::File) -> ParentOnly {
    #[cfg(not(unix))]
    {
        let _ = file;
        ParentOnly { slot: None }
    }
    #[cfg(unix)]
    let fd = std::os::unix::io::AsRawFd::as_raw_fd(file);
    #[cfg(unix)]
    let tag = (u64::from(std::process::id()) << 32) | u64::from(fd as u32);
    #[cfg(unix)]
    loop {
        for (slot, held) in HELD.iter().enumerate() {
            if held.compare_exchange(0, tag, SeqCst, SeqCst).is_ok() {
                return ParentOnly { slot: Some(slot) };
            }
        }
        // 64 takes in flight at once: wait for one to end.
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

impl Drop for ParentOnly {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            HELD[slot].store(0, SeqCst);
        }
    }
}

/// In a forked child: closes every registered descriptor that another
/// process (the parent) registered. Only atomics, `getpid` and `close`:
/// safe right after `fork()` in a multi-threaded process. Descriptors this
/// process registered itself are left alone, so a second call (a host that
/// also reports the fork) is harmless.
fn close_inherited_locks() {
    #[cfg(unix)]
    {
        extern "C" {
            fn close(fd: std::os::raw::c_int) -> std::os::raw::c_int;
        }
        let me = u64::from(std::process::id());
        for held in &HELD {
            let tag = held.load(SeqCst);
            if tag != 0 && tag >> 32 != me && held.compare_exchange(tag, 0, SeqCst, SeqCst).is_ok()
            {
                // SAFETY: the descriptor was open in the parent when it
                // forked, so this process has its copy; no thread of this
                // process uses it (the parent's thread does not exist here).
                unsafe {
                    close(tag as u32 as std::os::raw::c_int);
                }
            }
        }
    }
}
