"""snowid quickstart: one ID, its parts, a generator, text forms, range bounds."""

import datetime as dt

import snowid


def main() -> None:
    # One ID from the module's default generator (node numbers from
    # snowid.configure(...), else SNOWID_* variables, else a free
    # machine-local slot).
    id = snowid.next()
    parts = snowid.inspect(id)
    print(f"id        {id}")
    print(f"parts     {parts!r}")
    print(f"created   {parts.timestamp.isoformat()}")

    # Your own generator: node numbers by the layout's field names, locked
    # on this machine while it lives (a second one raises NodeInUseError).
    gen = snowid.Generator(datacenter=1, worker=7)
    batch = gen.next_batch(5)
    print(f"batch     {batch}")
    print(f"worker    {snowid.inspect(batch[0]).worker}")

    # Text forms: the fixed-width ones sort like the numbers.
    for enc in snowid.ENCODINGS:
        text = snowid.encode(id, enc)
        assert snowid.decode_str(text, enc) == id
        print(f"{enc:<9} {text}")

    # Other layouts, and the IDs of a time range (for WHERE id BETWEEN ...).
    insta = snowid.Generator(layout="instagram", shard=1341)
    print(f"instagram {snowid.inspect(insta.next(), 'instagram')!r}")
    layout = snowid.Layout.twitter()
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    print(f"last hour ids >= {layout.min_id_at(since)}")
    print(f"twitter layout lasts until {layout.capacity.end:%Y-%m-%d}, "
          f"{layout.capacity.ids_per_second_per_node:,} IDs/s per node")


if __name__ == "__main__":
    main()
