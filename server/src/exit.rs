//! Exit codes and the failure a command ends with.

use snowid::{Error, ErrorKind};

/// Exit codes (documented in `--help` and server/README.md).
pub const EXIT_OK: u8 = 0;
/// Bad command line (clap's own code).
pub const EXIT_USAGE: u8 = 2;
/// Invalid input: an ID, a layout, a number the core refused.
pub const EXIT_INVALID: u8 = 3;
/// Unavailable: no node numbers, the clock is behind, a lease was lost.
pub const EXIT_UNAVAILABLE: u8 = 4;
/// Output or I/O failure (a closed pipe ends quietly with 0).
pub const EXIT_IO: u8 = 5;

/// A failure: the message and the exit code.
pub struct Fail(pub u8, pub String);

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        let code = match e.kind() {
            ErrorKind::InvalidInput => EXIT_INVALID,
            ErrorKind::Unavailable => EXIT_UNAVAILABLE,
        };
        Fail(code, format!("{e} ({})", e.code()))
    }
}
