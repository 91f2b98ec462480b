"""IDs as primary keys in SQLite: no round trip to the database for a key,
rows sort by creation time, and a time range is a range of keys."""

import datetime as dt
import sqlite3
from typing import List, Tuple

import snowid

UTC = dt.timezone.utc


def main() -> None:
    # Each process gets its own worker number (here fixed; in production
    # from SNOWID_WORKER_ID, or snowid.configure(worker=...) after a fork).
    ids = snowid.Generator(datacenter=0, worker=3)
    layout = ids.layout

    db = sqlite3.connect(":memory:")
    # Twitter-layout IDs keep the top bit 0, so they fit SQLite's signed INTEGER.
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL NOT NULL)")

    # (a second of slack: the generator reads a cached clock, and IDs are
    # stamped with the start of their millisecond)
    start = dt.datetime.now(UTC) - dt.timedelta(seconds=1)
    rows: List[Tuple[int, str, float]] = [(ids.next(), f"customer-{n % 7}", 10.0 + n) for n in range(1000)]
    db.executemany("INSERT INTO orders VALUES (?, ?, ?)", rows)

    # Newest first, without a created_at column or index: the key sorts by time.
    newest = db.execute("SELECT id, customer FROM orders ORDER BY id DESC LIMIT 3").fetchall()
    for id, customer in newest:
        print(f"{id}  {customer}  created {snowid.inspect(id).timestamp:%H:%M:%S.%f}")

    # Everything created since `start`: a key range, served by the primary key.
    lo = layout.min_id_at(start)
    hi = layout.max_id_at(dt.datetime.now(UTC))
    (count,) = db.execute("SELECT count(*) FROM orders WHERE id BETWEEN ? AND ?", (lo, hi)).fetchone()
    assert count == 1000, count
    print(f"{count} orders created since {start:%H:%M:%S} (ids {lo}..{hi})")

    # Short, URL-safe, sortable public form of a key.
    public = snowid.encode(newest[0][0], "base62")
    assert snowid.decode_str(public, "base62") == newest[0][0]
    print(f"public id of the newest order: {public}")


if __name__ == "__main__":
    main()
