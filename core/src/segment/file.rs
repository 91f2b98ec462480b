//! `file:///DIR`: one counter file per key, written like the high-water mark
//! (temp file, fsync, rename, directory fsync, checksum) while holding an
//! exclusive `flock` on the key's lock file, so the processes of one machine
//! share a key safely.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::store::{check_room, Range, SegmentStore};
use crate::error::{Error, Result};

const MAGIC: &str = "snowid-segment 1";

fn fnv64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn io_err(path: &Path, e: io::Error) -> Error {
    Error::StateIo {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Counters in files under one directory.
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    describe: String,
}

impl FileStore {
    /// The store in `dir` (created if missing).
    pub fn open(dir: &Path) -> Result<FileStore> {
        fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        Ok(FileStore {
            dir: dir.to_owned(),
            describe: format!("file://{}", dir.display()),
        })
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
        let path = self.counter_path(key);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(Self::corrupt(&path, "not UTF-8"))
            }
            Err(e) => return Err(io_err(&path, e)),
        };
        let lines: Vec<&str> = text.lines().collect();
        let [magic, key_line, max_line, check] = lines[..] else {
            return Err(Self::corrupt(
                &path,
                "expected 4 lines (truncated or extended)",
            ));
        };
        if magic != MAGIC {
            return Err(Self::corrupt(&path, "unknown header"));
        }
        let body = format!("{magic}\n{key_line}\n{max_line}\n");
        if check.strip_prefix("check ") != Some(&format!("{:016x}", fnv64(&body))) {
            return Err(Self::corrupt(&path, "checksum mismatch"));
        }
        if key_line.strip_prefix("key ") != Some(key) {
            return Err(Self::corrupt(&path, "written for another key"));
        }
        max_line
            .strip_prefix("max_id ")
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| Self::corrupt(&path, "bad max_id line"))
    }

    fn write(&self, key: &str, max_id: u64) -> Result<()> {
        let path = self.counter_path(key);
        let body = format!("{MAGIC}\nkey {key}\nmax_id {max_id}\n");
        let text = format!("{body}check {:016x}\n", fnv64(&body));
        let tmp = self
            .dir
            .join(format!("{key}.segment.tmp{}", std::process::id()));
        let write = || -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            File::open(&self.dir)?.sync_all()?;
            Ok(())
        };
        write().map_err(|e| io_err(&path, e))
    }
}

impl FileStore {
    /// The key's lock file, `flock`ed: held until the returned file is
    /// dropped (also released by the kernel if this process dies), so a
    /// read-modify-write is one step among processes.
    fn lock_key(&self, key: &str) -> Result<File> {
        let lock_path = self.dir.join(format!("{key}.lock"));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_err(&lock_path, e))?;
        lock.lock().map_err(|e| io_err(&lock_path, e))?;
        Ok(lock)
    }
}

impl SegmentStore for FileStore {
    fn take(&self, key: &str, step: u64) -> Result<Range> {
        let lock = self.lock_key(key)?;
        let max_id = self.read(key)?;
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
