//! The default segment store is shared by every user of the machine (issue
//! 19, item 3): root and `nobody` run `snowid-segment-worker` with no store
//! configured, at the same time, on the same key; no ID may be issued twice.
//! Needs root (to start a process as `nobody` with `setpriv`); elsewhere it
//! says so and passes.
#![cfg(target_os = "linux")]

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use snowid::segment::file::{FileStore, MACHINE_STORE_DIR};
use snowid::segment::SegmentStore;

const WORKER: &str = env!("CARGO_BIN_EXE_snowid-segment-worker");

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        == Some("0")
}

/// One worker as `user` (None: this process's user, root) with a clean
/// environment: its own HOME, no SNOWID_* variable, no store option.
fn worker(user: Option<&str>, home: &Path, exe: &Path, key: &str) -> Command {
    let mut c = match user {
        Some(u) => {
            let mut c = Command::new("setpriv");
            c.args([&format!("--reuid={u}"), "--regid=nogroup", "--clear-groups"]);
            c.arg(exe);
            c
        }
        None => Command::new(exe),
    };
    c.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("USER", user.unwrap_or("root"))
        .args(["-", key, "3000", "7", "7"]);
    c
}

fn ids(who: &str, out: Output) -> Vec<u64> {
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{who}: {:?}\n{}\n{}",
        out.status,
        text.lines().rev().take(5).collect::<Vec<_>>().join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.parse().unwrap_or_else(|_| panic!("{who}: {l}")))
        .collect()
}

#[test]
fn root_and_nobody_share_the_default_store() {
    if !is_root() || Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: needs root and setpriv to run a worker as nobody");
        return;
    }
    let key = format!("users-{}", std::process::id());
    // The worker and the homes where both users can reach them (the build
    // directory may be closed to nobody). Each home is writable by its
    // user: with a per-user default store each would count on its own.
    let base = std::env::temp_dir().join(format!("snowid-seg-users-{}", std::process::id()));
    let _ = fs::remove_dir_all(&base);
    let (root_home, nobody_home): (PathBuf, PathBuf) = (base.join("root"), base.join("nobody"));
    for d in [&base, &root_home, &nobody_home] {
        fs::create_dir_all(d).unwrap();
        fs::set_permissions(d, fs::Permissions::from_mode(0o777)).unwrap();
    }
    let exe = base.join("snowid-segment-worker");
    fs::copy(WORKER, &exe).unwrap();
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();

    let mut seen: HashSet<u64> = HashSet::new();
    for round in 0..3 {
        // Both at once, and in turn who starts first (and so who creates
        // the key's counter and lock file, the other's must work too).
        let order: [Option<&str>; 2] = if round % 2 == 0 {
            [None, Some("nobody")]
        } else {
            [Some("nobody"), None]
        };
        let children: Vec<_> = order
            .iter()
            .map(|u| {
                let home = if u.is_some() {
                    &nobody_home
                } else {
                    &root_home
                };
                let child = worker(*u, home, &exe, &key)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                (u.unwrap_or("root"), child)
            })
            .collect();
        for (who, child) in children {
            let got = ids(who, child.wait_with_output().unwrap());
            assert_eq!(got.len(), 3000, "{who}");
            for id in got {
                assert!(
                    seen.insert(id),
                    "round {round}: {who} issued {id}, issued before"
                );
            }
        }
    }
    // A key counted in the user's former default store (per user, under
    // the state directory) goes on above it in the machine-wide one.
    let old_key = format!("users-old-{}", std::process::id());
    let old_dir = root_home.join(".local/state/snowid/segments");
    FileStore::open(&old_dir)
        .unwrap()
        .take(&old_key, 5000)
        .unwrap();
    let out = worker(None, &root_home, &exe, &old_key).output().unwrap();
    let got = ids("root, former counter", out);
    assert!(
        got[0] > 5000,
        "restarted below the former counter: {}",
        got[0]
    );
    fs::remove_dir_all(root_home.join(".local")).unwrap();
    for f in [format!("{old_key}.segment"), format!("{old_key}.lock")] {
        let _ = fs::remove_file(Path::new(MACHINE_STORE_DIR).join(f));
    }

    // Every ID came from the one machine-wide counter.
    let store = FileStore::open(Path::new(MACHINE_STORE_DIR)).unwrap();
    assert!(store.read(&key).unwrap() >= 6 * 3000);
    assert!(!root_home.join(".local/state/snowid/segments").exists());
    assert!(!nobody_home.join(".local/state/snowid/segments").exists());
    for f in [format!("{key}.segment"), format!("{key}.lock")] {
        let _ = fs::remove_file(Path::new(MACHINE_STORE_DIR).join(f));
    }
    fs::remove_dir_all(&base).unwrap();
}
