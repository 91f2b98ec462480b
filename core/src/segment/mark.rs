//! The machine mark of a segment key: the highest ID any process of this
//! machine took from one store for one key, kept in the state directory
//! beside the node marks (`<state dir>/segment-marks/<store hash>/<key>.mark`)
//! so that no process here hands out an ID at or below it, even when the
//! store went backwards (Redis restarted without its data, a file or a row
//! restored from an older copy).
//!
//! Written once per range taken, before any ID of the range is handed out
//! (a range is already a reservation), like the node mark: temp file, fsync,
//! rename, directory fsync, checksum. A take and its mark write are one step
//! among the processes sharing the state directory (an exclusive `flock` on
//! the key's lock file), so a range a store hands out in counter order is
//! always above the mark, and one at or below it means the store lost data.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::store::{unavailable, Range, SegmentStore};
use crate::error::{Error, Result};
use crate::fork::{parent_only, ParentOnly};
use crate::node::mark::fnv64;
use crate::node::slots::io_err;

const MAGIC: &str = "snowid-segment-mark 1";

/// Directory of the machine marks under a state directory.
pub const MARK_DIR: &str = "segment-marks";

/// The machine mark of one key in one store (named by its URL without a
/// password, as [`SegmentStore::describe`] shows it).
#[derive(Debug)]
pub struct MachineMark {
    dir: PathBuf,
    path: PathBuf,
    store: String,
    key: String,
}

/// An exclusive hold on a key's machine mark (released when dropped, or by
/// the kernel if the process dies).
pub struct MarkLock {
    // Dropped before `file` closes (declaration order), as it must be.
    _parent_only: ParentOnly,
    file: File,
}

impl Drop for MarkLock {
    fn drop(&mut self) {
        // Explicitly: a child forked during the take holds a copy of the
        // descriptor, which would keep a mere close from releasing the lock
        // (and hang every other process of the machine on this key); the
        // child closes its copy at once too (`crate::fork::parent_only`).
        let _ = self.file.unlock();
    }
}

impl MachineMark {
    /// The mark of `key` in `store` under `marks_dir` (created if missing),
    /// checked now: a mark that exists but does not read back is
    /// [`Error::StateCorrupt`], never a silent restart from the store.
    pub fn open(marks_dir: &Path, store: &str, key: &str) -> Result<MachineMark> {
        let dir = marks_dir.join(format!("{:016x}", fnv64(store)));
        fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        let mark = MachineMark {
            path: dir.join(format!("{key}.mark")),
            dir,
            store: store.to_owned(),
            key: key.to_owned(),
        };
        mark.read()?;
        Ok(mark)
    }

    /// The mark file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Holds the key's lock file exclusively.
    pub fn lock(&self) -> Result<MarkLock> {
        let path = self.dir.join(format!("{}.lock", self.key));
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        let lock = MarkLock {
            _parent_only: parent_only(&f),
            file: f,
        };
        lock.file.lock().map_err(|e| io_err(&path, e))?;
        Ok(lock)
    }

    fn corrupt(&self, reason: &str) -> Error {
        Error::StateCorrupt {
            path: self.path.display().to_string(),
            reason: reason.to_owned(),
            hint: "the highest ID this machine issued for this key (or remove the file only if the store's counter is above it)".into(),
        }
    }

    fn body(&self, max_id: u64) -> String {
        format!(
            "{MAGIC}\nstore {:?}\nkey {}\nmax_id {max_id}\n",
            self.store, self.key
        )
    }

    /// The mark: the highest ID taken here (0 when there is none yet).
    pub fn read(&self) -> Result<u64> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(self.corrupt("not UTF-8"))
            }
            Err(e) => return Err(io_err(&self.path, e)),
        };
        let lines: Vec<&str> = text.lines().collect();
        let [magic, store, key, max_line, check] = lines[..] else {
            return Err(self.corrupt("expected 5 lines (truncated or extended)"));
        };
        if magic != MAGIC {
            return Err(self.corrupt("unknown header"));
        }
        let body = format!("{magic}\n{store}\n{key}\n{max_line}\n");
        if check.strip_prefix("check ") != Some(&format!("{:016x}", fnv64(&body))) {
            return Err(self.corrupt("checksum mismatch"));
        }
        let max_id = max_line
            .strip_prefix("max_id ")
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| self.corrupt("bad max_id line"))?;
        if body != self.body(max_id) {
            return Err(self.corrupt("written for another store or key"));
        }
        Ok(max_id)
    }

    /// Writes `max_id` (the caller holds [`Self::lock`] and never lowers it).
    fn write(&self, max_id: u64) -> Result<()> {
        let body = self.body(max_id);
        let text = format!("{body}check {:016x}\n", fnv64(&body));
        // One writer at a time (the lock): a fixed temp name, so a crash
        // leaves at most one stale temp file, overwritten by the next write.
        let tmp = self.dir.join(format!("{}.mark.tmp", self.key));
        let write = || -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            File::open(&self.dir)?.sync_all()?;
            Ok(())
        };
        write().map_err(|e| io_err(&self.path, e))
    }
}

/// What a take from the store came to.
#[derive(Debug)]
pub enum Taken {
    /// A range above every ID this machine took before. `repaired`: the
    /// store had handed out a range at or below the machine mark, so it was
    /// raised to the mark first (the mark) and this range taken after.
    Range {
        /// The range to hand out.
        range: Range,
        /// The machine mark the store was raised to, if it had to be.
        repaired: Option<u64>,
    },
    /// The store handed this process a range below one it had before: it
    /// lost data. It was raised to `raised_to` (the highest ID this process
    /// and this machine have seen) when `repair` is `Ok`; either way the
    /// segment refuses from now on.
    WentBackwards {
        /// The range the store handed out (never handed on).
        range: Range,
        /// The end of the last good range of this process.
        floor: u64,
        /// The counter after the repair, or why the repair failed.
        repair: Result<u64>,
    },
}

/// Takes `step` IDs of `key` from `store`, above `floor` (the end of this
/// process's last range) and above the machine mark:
///
/// 1. hold the key's mark lock (the processes of this machine take one at
///    a time, so in a store that keeps its data every range is above the
///    mark) and read the mark M;
/// 2. take a range R from the store;
/// 3. R starts below `floor`: the store went backwards under this process.
///    Raise it to the highest ID seen (`max(floor - 1, M)`) so no process
///    anywhere takes those IDs again, and report [`Taken::WentBackwards`];
/// 4. R starts at or below M: the store went backwards under this machine
///    (a fresh process after Redis lost its data, a counter restored from
///    a backup). Raise the store to M and take again; the new range must
///    start above M;
/// 5. record the range's end as the mark, then hand the range out.
///
/// Without a mark (`None`) steps 1, 4 and 5 are skipped.
pub fn take_above(
    store: &dyn SegmentStore,
    mark: Option<&MachineMark>,
    key: &str,
    step: u64,
    floor: u64,
) -> Result<Taken> {
    let _held = mark.map(MachineMark::lock).transpose()?;
    let machine = mark.map(MachineMark::read).transpose()?.unwrap_or(0);
    let r = store.take(key, step)?;
    if r.start < floor || r.len() != step {
        let highest = machine.max(floor.saturating_sub(1));
        let repair = store.raise_to(key, highest);
        return Ok(Taken::WentBackwards {
            range: r,
            floor,
            repair,
        });
    }
    let (range, repaired) = if r.start <= machine {
        let raised = store.raise_to(key, machine)?;
        let again = store.take(key, step)?;
        if again.start <= machine || again.len() != step {
            return Err(unavailable(
                key,
                store.describe(),
                format!(
                    "the store handed out {}..{} at or below this machine's mark {machine} ({}); raised to {raised}, it still handed out {}..{}",
                    r.start,
                    r.end,
                    mark.map(|m| m.path().display().to_string()).unwrap_or_default(),
                    again.start,
                    again.end
                ),
            ));
        }
        (again, Some(machine))
    } else {
        (r, None)
    };
    if let Some(m) = mark {
        m.write(range.end - 1)?;
    }
    Ok(Taken::Range { range, repaired })
}
