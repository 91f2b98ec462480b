//! `file:///DIR`: one counter file per key, written like the high-water mark
//! (temp file, fsync, rename, directory fsync, checksum) while holding an
//! exclusive `flock` on the key's lock file, so the processes of one machine
//! share a key safely.
//!
//! The default store ([`MACHINE_STORE_DIR`]) is one directory for every user
//! of the machine, as the machine-wide node-slot locks are: counters must be
//! shared by root and `nobody` alike, and must survive a reboot (so not
//! `/run` or `/tmp`). Its directory is made mode 0777 without the sticky
//! bit (a user replaces another user's counter file by rename); its files
//! are readable by all, and another user's lock file is locked through a
//! read-only descriptor.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::store::{check_room, Range, SegmentStore};
use crate::error::{Error, Result};
use crate::fork::{parent_only, ParentOnly};
use crate::node::mark::fnv64;
use crate::node::slots::io_err;

const MAGIC: &str = "snowid-segment 1";

/// The default file store when neither a store nor `SNOWID_STATE_DIR` is
/// configured: one directory for every user of the machine.
pub const MACHINE_STORE_DIR: &str = "/var/lib/snowid/segments";

const MACHINE_HINT: &str = "the default segment store is one directory for every user of this machine: \
     create it writable by all of them, without the sticky bit (as root: install -d -m 0777 /var/lib/snowid/segments), \
     or choose a store: SNOWID_SEGMENT_STORE=postgres://..., redis://... or file:///DIR (a directory every process \
     of the key can write), or SNOWID_STATE_DIR (its `segments` directory is shared by the processes that share it)";

/// Counters in files under one directory.
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    describe: String,
    /// The machine-wide default store: errors name the settings that fix it.
    machine: bool,
    /// Before the default store was machine-wide it was this user's
    /// `<state dir>/segments`: a key never restarts below a counter left
    /// there.
    legacy: Option<PathBuf>,
    /// Keys whose stale temp files were removed (once per key).
    cleaned: Mutex<HashSet<String>>,
}

/// The held `flock` of one key. Dropping it unlocks explicitly (`LOCK_UN`
/// releases the lock for every copy of the descriptor, a forked child's
/// too), then unregisters and closes the descriptor.
struct KeyLock {
    _parent_only: ParentOnly,
    file: File,
}

impl Drop for KeyLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

impl FileStore {
    /// The store in `dir` (created if missing; [`MACHINE_STORE_DIR`] is
    /// created open to every user).
    pub fn open(dir: &Path) -> Result<FileStore> {
        // A child forked during a take must close its copy of the lock.
        crate::fork::watch_forks();
        let machine = dir == Path::new(MACHINE_STORE_DIR);
        let mut store = FileStore {
            dir: dir.to_owned(),
            describe: format!("file://{}", dir.display()),
            machine,
            legacy: None,
            cleaned: Mutex::new(HashSet::new()),
        };
        if machine {
            store.make_machine_dir()?;
            store.legacy = crate::node::default_state_dir_in(&crate::env::Environment::process())
                .ok()
                .map(|d| d.join("segments"))
                .filter(|d| d != dir);
        } else {
            fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        }
        Ok(store)
    }

    /// Makes the machine-wide directory open to every user (mode 0777, no
    /// sticky bit) if this process creates it.
    fn make_machine_dir(&self) -> Result<()> {
        if self.dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = self.dir.parent() {
            fs::create_dir_all(parent).map_err(|e| self.io_err(parent, e))?;
        }
        match fs::create_dir(&self.dir) {
            Ok(()) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o777))
                        .map_err(|e| self.io_err(&self.dir, e))?;
                }
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(self.io_err(&self.dir, e)),
        }
    }

    fn io_err(&self, path: &Path, e: io::Error) -> Error {
        let reason = if self.machine {
            format!("{e}; {MACHINE_HINT}")
        } else {
            e.to_string()
        };
        Error::StateIo {
            path: path.display().to_string(),
            reason,
        }
    }

    /// The counter file of `key`.
    pub fn counter_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.segment"))
    }

    fn corrupt(path: &Path, reason: &str) -> Error {
        Error::StateCorrupt {
            path: path.display().to_string(),
            reason: reason.to_owned(),
            hint: "the last range taken from this key (raise max_id above every ID issued)".into(),
        }
    }

    /// The counter of `key` on disk: the last ID taken (0 for a new key).
    pub fn read(&self, key: &str) -> Result<u64> {
        Self::read_at(&self.counter_path(key), key)
    }

    fn read_at(path: &Path, key: &str) -> Result<u64> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(Self::corrupt(path, "not UTF-8"))
            }
            Err(e) => return Err(io_err(path, e)),
        };
        let lines: Vec<&str> = text.lines().collect();
        let [magic, key_line, max_line, check] = lines[..] else {
            return Err(Self::corrupt(
                path,
                "expected 4 lines (truncated or extended)",
            ));
        };
        if magic != MAGIC {
            return Err(Self::corrupt(path, "unknown header"));
        }
        let body = format!("{magic}\n{key_line}\n{max_line}\n");
        if check.strip_prefix("check ") != Some(&format!("{:016x}", fnv64(&body))) {
            return Err(Self::corrupt(path, "checksum mismatch"));
        }
        if key_line.strip_prefix("key ") != Some(key) {
            return Err(Self::corrupt(path, "written for another key"));
        }
        max_line
            .strip_prefix("max_id ")
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| Self::corrupt(path, "bad max_id line"))
    }

    /// The temp file a process writes `key`'s counter through.
    fn temp_path(&self, key: &str, pid: u32) -> PathBuf {
        self.dir.join(format!("{key}.segment.tmp{pid}"))
    }

    /// Whether `name` is a temp file of `key` (`<key>.segment.tmp<pid>`).
    fn is_temp_of(name: &str, key: &str) -> bool {
        name.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(".segment.tmp"))
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Removes the temp files of `key` that writers killed mid-write left,
    /// once per key. Called under the key's lock: every temp file of the key
    /// is written under it, so none belongs to a live writer.
    fn clean_temps(&self, key: &str) {
        let mut cleaned = self.cleaned.lock().unwrap_or_else(|p| p.into_inner());
        if cleaned.contains(key) {
            return;
        }
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| Self::is_temp_of(n, key))
                {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        cleaned.insert(key.to_owned());
    }

    fn write(&self, key: &str, max_id: u64) -> Result<()> {
        let path = self.counter_path(key);
        let body = format!("{MAGIC}\nkey {key}\nmax_id {max_id}\n");
        let text = format!("{body}check {:016x}\n", fnv64(&body));
        let tmp = self.temp_path(key, std::process::id());
        let write = || -> io::Result<()> {
            // A file of that name is a dead writer's (the lock is held):
            // remove it, then create ours afresh, never following a link
            // planted in a shared directory.
            match fs::remove_file(&tmp) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            let mut create = OpenOptions::new();
            create.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                create.mode(0o644);
            }
            let mut f = create.open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            File::open(&self.dir)?.sync_all()?;
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            self.io_err(&path, e)
        })
    }

    /// Opens and locks `key`'s lock file.
    fn lock_key(&self, key: &str) -> Result<KeyLock> {
        let path = self.dir.join(format!("{key}.lock"));
        let file = crate::node::slots::open_host_lock(&path).map_err(|e| self.io_err(&path, e))?;
        let lock = KeyLock {
            _parent_only: parent_only(&file),
            file,
        };
        // Held until `lock` is dropped (also released by the kernel if this
        // process dies), so read-modify-write is one step among processes.
        lock.file.lock().map_err(|e| self.io_err(&path, e))?;
        Ok(lock)
    }
}

impl SegmentStore for FileStore {
    fn take(&self, key: &str, step: u64) -> Result<Range> {
        let lock = self.lock_key(key)?;
        self.clean_temps(key);
        let mut max_id = self.read(key)?;
        if let Some(legacy) = &self.legacy {
            max_id = max_id.max(Self::read_at(&legacy.join(format!("{key}.segment")), key)?);
        }
        check_room(key, &self.describe, max_id, step)?;
        let new_max = max_id + step;
        // The counter is on disk before any ID of the range is handed out.
        self.write(key, new_max)?;
        drop(lock);
        Ok(Range::ending_at(new_max, step))
    }

    fn raise_to(&self, key: &str, max_id: u64) -> Result<u64> {
        let lock = self.lock_key(key)?;
        let cur = self.read(key)?;
        if cur < max_id {
            self.write(key, max_id)?;
        }
        drop(lock);
        Ok(cur.max(max_id))
    }

    fn describe(&self) -> &str {
        &self.describe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("snowid-seg-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn takes_increasing_ranges_and_persists() {
        let d = tmp("file");
        let s = FileStore::open(&d).unwrap();
        assert_eq!(s.take("orders", 10).unwrap(), Range { start: 1, end: 11 });
        assert_eq!(s.take("orders", 5).unwrap(), Range { start: 11, end: 16 });
        assert_eq!(s.take("invoices", 3).unwrap(), Range { start: 1, end: 4 });
        let again = FileStore::open(&d).unwrap();
        assert_eq!(again.read("orders").unwrap(), 15);
        assert_eq!(
            again.take("orders", 1).unwrap(),
            Range { start: 16, end: 17 }
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn corrupt_file_is_an_error_never_a_restart() {
        let d = tmp("corrupt");
        let s = FileStore::open(&d).unwrap();
        s.take("k", 10).unwrap();
        let p = s.counter_path("k");
        let text = fs::read_to_string(&p)
            .unwrap()
            .replace("max_id 10", "max_id 11");
        fs::write(&p, text).unwrap();
        assert_eq!(s.take("k", 10).unwrap_err().code(), "STATE_CORRUPT");
        fs::write(&p, "snowid-segment 1\n").unwrap();
        assert_eq!(s.take("k", 10).unwrap_err().code(), "STATE_CORRUPT");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn stale_temp_files_of_the_key_are_removed_when_it_is_opened() {
        let d = tmp("temps");
        let s = FileStore::open(&d).unwrap();
        s.take("k", 10).unwrap();
        // As writers killed between create and rename leave them (75
        // SIGKILLs left 8), and files that are not the key's temp files.
        let stale = ["k.segment.tmp4242", "k.segment.tmp1"];
        let kept = [
            "k.segment.tmp",
            "k.segment.tmpx",
            "other.segment.tmp7",
            "k.segment.segment.tmp3",
            "kk.segment.tmp8",
        ];
        for n in stale.iter().chain(&kept) {
            fs::write(d.join(n), "snowid-segment 1\nkey k\n").unwrap();
        }
        let fresh = FileStore::open(&d).unwrap();
        assert_eq!(fresh.take("k", 5).unwrap(), Range { start: 11, end: 16 });
        for n in stale {
            assert!(!d.join(n).exists(), "{n} left behind");
        }
        for n in kept {
            assert!(d.join(n).exists(), "{n} removed");
        }
        let mut left: Vec<String> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("k.segment.tmp") && !kept.contains(&n.as_str()))
            .collect();
        left.sort();
        assert!(left.is_empty(), "{left:?}");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn exhausted_counter() {
        let d = tmp("exhausted");
        let s = FileStore::open(&d).unwrap();
        s.write("k", super::super::store::MAX_SEGMENT_ID - 2)
            .unwrap();
        let e = s.take("k", 3).unwrap_err();
        assert_eq!(e.code(), "SEGMENT_EXHAUSTED");
        assert!(e.to_string().contains("9223372036854775807"), "{e}");
        fs::remove_dir_all(&d).unwrap();
    }
}
