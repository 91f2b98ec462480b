//! The persisted high-water mark: the highest tick that IDs with some node
//! numbers may have used, written once per window (temp file, fsync,
//! rename, directory fsync) and read back with a checksum.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::reserve::Reserve;

const MARK_MAGIC: &str = "snowid-high-water 1";

/// FNV-1a 64 of `s`: the checksum of every state file (node marks, segment
/// counters, segment machine marks) and the name of a store's mark folder.
pub(crate) fn fnv64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A high-water mark in a file: the highest tick that IDs with these node
/// numbers may have used. Implements [`Reserve`].
#[derive(Debug)]
pub struct HighWaterFile {
    path: PathBuf,
    key: String,
    window_ticks: u64,
    tick_ms: u64,
    epoch_ms: u64,
    written: Mutex<Option<u64>>,
}

impl HighWaterFile {
    /// Opens the mark for `nodes` of `layout` under `state_dir`, returning it
    /// and the mark on disk (`None` if there is none yet). A file that exists
    /// but does not hold a valid mark is an error, never a silent restart.
    pub fn open(
        state_dir: &Path,
        layout: &Layout,
        nodes: &[u64],
        window_ms: u64,
    ) -> Result<(Self, Option<u64>)> {
        let dir = super::slots::layout_dir(state_dir, layout);
        fs::create_dir_all(&dir).map_err(|e| super::slots::io_err(&dir, e))?;
        let k = layout.slot_of(nodes);
        let path = dir.join(format!("slot-{k}.mark"));
        let key = format!("{} {}", layout, super::format_nodes(layout, nodes));
        let hw = HighWaterFile {
            path,
            key,
            window_ticks: window_ms.div_ceil(layout.tick_ms()).max(1),
            tick_ms: layout.tick_ms(),
            epoch_ms: layout.epoch_ms(),
            written: Mutex::new(None),
        };
        let mark = hw.read()?;
        *hw.written.lock().unwrap_or_else(|p| p.into_inner()) = mark;
        Ok((hw, mark))
    }

    /// The mark file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn corrupt(&self, reason: &str) -> Error {
        Error::StateCorrupt {
            path: self.path.display().to_string(),
            reason: reason.to_owned(),
            hint: "the last write of this file".into(),
        }
    }

    /// Reads the mark on disk.
    pub fn read(&self) -> Result<Option<u64>> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(self.corrupt("not UTF-8"))
            }
            Err(e) => return Err(super::slots::io_err(&self.path, e)),
        };
        let mut lines = text.lines();
        let (Some(magic), Some(key), Some(tick), Some(check), None) = (
            lines.next(),
            lines.next(),
            lines.next(),
            lines.next(),
            lines.next(),
        ) else {
            return Err(self.corrupt("expected 4 lines (truncated or extended)"));
        };
        if magic != MARK_MAGIC {
            return Err(self.corrupt("unknown header"));
        }
        let body = format!("{magic}\n{key}\n{tick}\n");
        if check.strip_prefix("check ") != Some(&format!("{:016x}", fnv64(&body))) {
            return Err(self.corrupt("checksum mismatch"));
        }
        if key != format!("layout {}", self.key) {
            return Err(self.corrupt("written for another layout or node"));
        }
        let tick = tick
            .strip_prefix("tick ")
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| self.corrupt("bad tick line"))?;
        Ok(Some(tick))
    }

    fn write(&self, tick: u64) -> Result<()> {
        let body = format!("{MARK_MAGIC}\nlayout {}\ntick {tick}\n", self.key);
        let text = format!("{body}check {:016x}\n", fnv64(&body));
        let tmp = self
            .path
            .with_extension(format!("mark.tmp{}", std::process::id()));
        let write = || -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            if let Some(dir) = self.path.parent() {
                File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(|e| super::slots::io_err(&self.path, e))
    }

    /// The mark as a time (ms since the Unix epoch), for messages.
    pub fn tick_ms(&self, tick: u64) -> u64 {
        self.epoch_ms + tick * self.tick_ms
    }
}

impl Reserve for HighWaterFile {
    fn reserve(&self, tick: u64) -> Result<u64> {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        let target = tick.saturating_add(self.window_ticks);
        self.write(target)?;
        *written = Some(target);
        Ok(target)
    }

    fn release(&self, last_tick: Option<u64>) {
        let written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        // Lower the reservation to what was really used; never below the
        // floor this generator started from (that is `last_tick` or more).
        if let (Some(last), Some(w)) = (last_tick, *written) {
            if last < w {
                let _ = self.write(last);
            }
        }
    }
}
