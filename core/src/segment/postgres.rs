//! `postgres://...`: the counters in a table the store creates,
//!
//! ```sql
//! CREATE TABLE IF NOT EXISTS snowid_segments (
//!     key        text        PRIMARY KEY,
//!     max_id     bigint      NOT NULL DEFAULT 0 CHECK (max_id >= 0),
//!     step       bigint      NOT NULL DEFAULT 0,
//!     updated_at timestamptz NOT NULL DEFAULT now()
//! );
//! ```
//!
//! and a range taken by one `UPDATE ... RETURNING` in a transaction (an
//! `INSERT ... ON CONFLICT DO NOTHING` first makes the row of a new key).

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use postgres::{Client, Config, NoTls};

use super::store::{check_room, redact, unavailable, Range, SegmentStore, MAX_SEGMENT_ID};
use crate::error::{Error, Result};

/// The table every process shares.
pub const TABLE: &str = "snowid_segments";

/// The schema, as created by the store (and shown in the README).
pub const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS snowid_segments (
    key        text        PRIMARY KEY,
    max_id     bigint      NOT NULL DEFAULT 0 CHECK (max_id >= 0),
    step       bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
)";

const UPDATE: &str =
    "UPDATE snowid_segments SET max_id = max_id + $2, step = $2, updated_at = now() \
     WHERE key = $1 AND max_id <= $3 RETURNING max_id";

/// One statement, atomic with every take: the counter never moves down.
const RAISE_TO: &str = "INSERT INTO snowid_segments (key, max_id) VALUES ($1, $2) \
     ON CONFLICT (key) DO UPDATE SET max_id = GREATEST(snowid_segments.max_id, EXCLUDED.max_id), \
     updated_at = now() RETURNING max_id";

/// Counters in a PostgreSQL table.
pub struct PostgresStore {
    config: Config,
    conn: Mutex<Option<Client>>,
    describe: String,
}

impl PostgresStore {
    /// Connects and creates the table if missing.
    pub fn open(url: &str) -> Result<PostgresStore> {
        let mut config = Config::from_str(url).map_err(|e| Error::SegmentStoreUrl {
            url: redact(url),
            reason: e.to_string(),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let store = PostgresStore {
            config,
            conn: Mutex::new(None),
            describe: redact(url),
        };
        store
            .with_client(|c| {
                let mut tx = c.transaction()?;
                // Two processes creating the table at once would race in the
                // catalog; one advisory lock makes it one at a time.
                tx.execute("SELECT pg_advisory_xact_lock(7236051357)", &[])?;
                tx.batch_execute(CREATE_TABLE)?;
                tx.commit()
            })
            .map_err(|e| unavailable("", &store.describe, e))?;
        Ok(store)
    }

    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, postgres::Error>,
    ) -> std::result::Result<T, String> {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_none_or(|c| c.is_closed()) {
            *slot = Some(
                self.config
                    .connect(NoTls)
                    .map_err(|e| format!("cannot connect: {e}"))?,
            );
        }
        let r = f(slot.as_mut().expect("connected above"));
        if r.is_err() {
            *slot = None;
        }
        r.map_err(|e| e.to_string())
    }
}

impl SegmentStore for PostgresStore {
    fn take(&self, key: &str, step: u64) -> Result<Range> {
        let step_i = i64::try_from(step).unwrap_or(i64::MAX);
        let limit = (MAX_SEGMENT_ID - step.min(MAX_SEGMENT_ID)) as i64;
        let got = self
            .with_client(|c| {
                let mut tx = c.transaction()?;
                let mut row = tx.query_opt(UPDATE, &[&key, &step_i, &limit])?;
                if row.is_none() {
                    tx.execute(
                        "INSERT INTO snowid_segments (key) VALUES ($1) ON CONFLICT (key) DO NOTHING",
                        &[&key],
                    )?;
                    row = tx.query_opt(UPDATE, &[&key, &step_i, &limit])?;
                }
                let got = match row {
                    Some(r) => Ok(r.get::<_, i64>(0)),
                    None => {
                        let cur: i64 = tx
                            .query_one("SELECT max_id FROM snowid_segments WHERE key = $1", &[&key])?
                            .get(0);
                        Err(cur)
                    }
                };
                tx.commit()?;
                Ok(got)
            })
            .map_err(|e| unavailable(key, &self.describe, e))?;
        match got {
            Ok(max_id) => Ok(Range::ending_at(max_id as u64, step)),
            Err(cur) => {
                check_room(key, &self.describe, cur as u64, step)?;
                Err(unavailable(key, &self.describe, "the counter did not move"))
            }
        }
    }

    fn raise_to(&self, key: &str, max_id: u64) -> Result<u64> {
        let n = i64::try_from(max_id.min(MAX_SEGMENT_ID)).unwrap_or(i64::MAX);
        let got = self
            .with_client(|c| Ok(c.query_one(RAISE_TO, &[&key, &n])?.get::<_, i64>(0)))
            .map_err(|e| unavailable(key, &self.describe, format!("raising to {max_id}: {e}")))?;
        Ok(got as u64)
    }

    fn describe(&self) -> &str {
        &self.describe
    }
}
