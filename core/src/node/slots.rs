//! Machine-local slots: one `flock`ed file per node number, in the state
//! directory and (for the per-user default) in a machine-wide directory.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::env::Environment;
use crate::error::{Error, Result};
use crate::layout::Layout;

/// `$SNOWID_STATE_DIR`, else `$XDG_STATE_HOME/snowid`, else
/// `$HOME/.local/state/snowid`, else `<temp>/snowid-<user>`. Marks must
/// survive a reboot, so the default is not a tmpfs like `$XDG_RUNTIME_DIR`.
pub fn default_state_dir() -> PathBuf {
    default_state_dir_in(&Environment::process())
        .unwrap_or_else(|_| user_state_dir(&Environment::default()))
}

/// [`default_state_dir`] in a given environment.
pub fn default_state_dir_in(env: &Environment) -> Result<PathBuf> {
    Ok(match env.path("SNOWID_STATE_DIR")? {
        Some(d) => d,
        None => user_state_dir(env),
    })
}

/// The per-user default state directory, ignoring `SNOWID_STATE_DIR`.
fn user_state_dir(env: &Environment) -> PathBuf {
    let var = |k: &str| env.path(k).ok().flatten();
    if let Some(d) = var("XDG_STATE_HOME") {
        return d.join("snowid");
    }
    if let Some(h) = var("HOME") {
        return h.join(".local/state/snowid");
    }
    let user = env
        .get("USER")
        .ok()
        .flatten()
        .unwrap_or_else(|| "default".into());
    std::env::temp_dir().join(format!("snowid-{user}"))
}

/// Where machine-wide slot locks go (see [`host_lock_dir_in`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostLocks {
    /// No machine-wide locks.
    Off,
    /// This directory (`SNOWID_HOST_LOCK_DIR`).
    Dir(PathBuf),
    /// The default: `/run/lock/snowid`, else `<temp>/snowid-locks` where
    /// that cannot be made; if neither can, claiming fails with
    /// [`Error::StateIo`] naming the settings that fix it.
    Default,
}

/// The machine-wide locks that keep processes of *different users* (each
/// with their own per-user state directory) off each other's node numbers:
/// `$SNOWID_HOST_LOCK_DIR` if set (`off` disables them), else, when
/// `state_dir` is the per-user default, [`HostLocks::Default`]. A state
/// directory chosen with `SNOWID_STATE_DIR` defines its own sharing domain:
/// processes that share it never share node numbers, and no machine-wide
/// lock is taken unless `SNOWID_HOST_LOCK_DIR` asks for one.
pub fn host_lock_dir_in(state_dir: &Path, env: &Environment) -> Result<HostLocks> {
    Ok(match env.get("SNOWID_HOST_LOCK_DIR")? {
        Some(v) if v.eq_ignore_ascii_case("off") => HostLocks::Off,
        Some(v) => HostLocks::Dir(v.into()),
        None if state_dir == user_state_dir(env) => HostLocks::Default,
        None => HostLocks::Off,
    })
}

/// Makes the machine-wide lock directory for `layout`, or says which
/// settings fix it.
pub(crate) fn host_dir(locks: &HostLocks, layout: &Layout) -> Result<Option<PathBuf>> {
    let hint = "set SNOWID_HOST_LOCK_DIR to a directory every user of this machine can write, \
                or SNOWID_HOST_LOCK_DIR=off where one user runs every snowid process (a container), \
                or SNOWID_STATE_DIR to a writable directory shared by those processes";
    let with_hint = |e: Error| match e {
        Error::StateIo { path, reason } => Error::StateIo {
            path,
            reason: format!("{reason}; {hint}"),
        },
        e => e,
    };
    match locks {
        HostLocks::Off => Ok(None),
        HostLocks::Dir(d) => {
            let d = d.join(layout.id_space());
            ensure_shared_dir(&d).map_err(with_hint)?;
            Ok(Some(d))
        }
        HostLocks::Default => {
            let first = Path::new("/run/lock/snowid").join(layout.id_space());
            match ensure_shared_dir(&first) {
                Ok(()) => Ok(Some(first)),
                Err(e) => {
                    let second = std::env::temp_dir()
                        .join("snowid-locks")
                        .join(layout.id_space());
                    ensure_shared_dir(&second).map_err(|_| with_hint(e))?;
                    Ok(Some(second))
                }
            }
        }
    }
}

pub(crate) fn io_err(path: &Path, e: io::Error) -> Error {
    Error::StateIo {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Directory of one layout's slots and marks: layouts with other epochs or
/// widths never share node numbers' history.
pub(crate) fn layout_dir(state_dir: &Path, layout: &Layout) -> PathBuf {
    state_dir.join(layout.id_space())
}

/// A held slot lock: the node numbers are this process's while it lives.
#[derive(Debug)]
pub struct SlotLock {
    _file: File,
    _host: Option<File>,
    path: PathBuf,
    host_path: Option<PathBuf>,
}

impl SlotLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        std::iter::once(&self.path).chain(self.host_path.as_ref())
    }
}

/// The lock files held by the slot locks of this process, with the process
/// that took them (a forked child inherits the list, not the ownership), so a
/// busy slot can be told apart: held by a generator of this process, or by
/// another process. Touched only when numbers are claimed or released.
static HELD_HERE: Mutex<Vec<(u32, PathBuf)>> = Mutex::new(Vec::new());

fn held() -> std::sync::MutexGuard<'static, Vec<(u32, PathBuf)>> {
    HELD_HERE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether `path` is a lock file a live [`SlotLock`] of this process holds.
pub(crate) fn held_here(path: &Path) -> bool {
    let pid = std::process::id();
    held().iter().any(|(p, f)| *p == pid && f == path)
}

impl Drop for SlotLock {
    fn drop(&mut self) {
        let pid = std::process::id();
        let mut held = held();
        for path in self.paths() {
            if let Some(i) = held.iter().position(|(p, f)| *p == pid && f == path) {
                held.swap_remove(i);
            }
        }
    }
}

fn try_lock(dir: &Path, slot: u64) -> Result<Option<SlotLock>> {
    let path = dir.join(format!("slot-{slot}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err(&path, e))?;
    match file.try_lock() {
        Ok(()) => {
            held().push((std::process::id(), path.clone()));
            Ok(Some(SlotLock {
                _file: file,
                _host: None,
                path,
                host_path: None,
            }))
        }
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(io_err(&path, e)),
    }
}

/// Creates `dir` (and its parents) as a world-writable sticky directory
/// (mode 1777, like `/tmp`), so every user's processes can add lock files
/// but none can remove another's.
fn ensure_shared_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        if !parent.as_os_str().is_empty() && !parent.is_dir() {
            ensure_shared_dir(parent)?;
        }
    }
    match fs::create_dir(dir) {
        Ok(()) => {
            // Ours: open it to everyone (the umask narrowed the mode).
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(dir, fs::Permissions::from_mode(0o1777))
                    .map_err(|e| io_err(dir, e))?;
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_err(dir, e)),
    }
}

/// Opens (creating if needed) a machine-wide lock file that other users'
/// processes must be able to lock too.
pub(crate) fn open_host_lock(path: &Path) -> io::Result<File> {
    // In a world-writable directory, never follow a planted symlink.
    if let Ok(m) = fs::symlink_metadata(path) {
        if !m.file_type().is_file() {
            return Err(io::Error::other(
                "not a regular file (a symlink?); refusing to use it",
            ));
        }
    }
    let mut create = OpenOptions::new();
    create.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        create.mode(0o644);
    }
    match create.open(path) {
        Ok(f) => {
            // Readable by all whatever the umask: flock needs only a
            // read-only descriptor, so other users can lock our file.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = f.set_permissions(fs::Permissions::from_mode(0o644));
            }
            Ok(f)
        }
        // Another user's file: a read-only descriptor locks it as well.
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            OpenOptions::new().read(true).open(path)
        }
        Err(e) => Err(e),
    }
}

/// The outcome of trying one slot.
pub(crate) enum SlotTry {
    Locked(SlotLock),
    /// Another live process holds this lock file.
    Busy(PathBuf),
}

/// Locks slot `slot` in the state directory and, if `host` is given, in the
/// machine-wide directory too (see [`host_lock_dir`]). An existing
/// machine-wide lock file that cannot be used (another user's file we may
/// not open, a symlink) is `Busy` if `unusable_is_busy` (the slot may be
/// another user's: skip it), else an error.
pub(crate) fn lock_slot(
    dir: &Path,
    host: Option<&Path>,
    slot: u64,
    unusable_is_busy: bool,
) -> Result<SlotTry> {
    let Some(mut lock) = try_lock(dir, slot)? else {
        return Ok(SlotTry::Busy(dir.join(format!("slot-{slot}.lock"))));
    };
    if let Some(host) = host {
        let path = host.join(format!("slot-{slot}.lock"));
        let file = match open_host_lock(&path) {
            Ok(f) => f,
            // Someone else's file we cannot use: skip the slot. A file we
            // cannot even create (an unwritable directory) is an error that
            // names the path, not a silent scan of every slot.
            Err(_) if unusable_is_busy && fs::symlink_metadata(&path).is_ok() => {
                return Ok(SlotTry::Busy(path))
            }
            Err(e) => return Err(io_err(&path, e)),
        };
        match file.try_lock() {
            Ok(()) => {
                held().push((std::process::id(), path.clone()));
                lock._host = Some(file);
                lock.host_path = Some(path);
            }
            Err(fs::TryLockError::WouldBlock) => return Ok(SlotTry::Busy(path)),
            Err(fs::TryLockError::Error(_)) if unusable_is_busy => return Ok(SlotTry::Busy(path)),
            Err(fs::TryLockError::Error(e)) => return Err(io_err(&path, e)),
        }
    }
    Ok(SlotTry::Locked(lock))
}
