//! `make demo` (Rust part): generate IDs, decode them, query bounds, encode.

use snowid::{Config, Encoding, Generator, Layout};

fn main() -> Result<(), snowid::Error> {
    // A generator for datacenter 1, worker 7 of the Twitter layout.
    let layout = Layout::twitter();
    let generator = Generator::new(
        Config::new(layout.clone())
            .node("datacenter", 1)?
            .node("worker", 7)?,
    )?;
    println!("layout   {layout}");
    let ids: Vec<u64> = (0..3)
        .map(|_| generator.next_id())
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let p = layout.decode(*id)?;
        println!(
            "id {id:>20}  ms {}  datacenter {} worker {} sequence {:>4}  base32 {}  base62 {}",
            p.timestamp_ms,
            p.nodes[0],
            p.nodes[1],
            p.sequence,
            Encoding::Base32.encode(*id),
            Encoding::Base62.encode(*id),
        );
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "IDs increase");

    // Range bounds for `WHERE id BETWEEN lo AND hi` over one millisecond.
    let ms = layout.decode(ids[0])?.timestamp_ms as i64;
    let (lo, hi) = (layout.min_id_at(ms)?, layout.max_id_at(ms)?);
    println!("ids of {ms} ms lie in [{lo}, {hi}]");

    // A batch, and the counters.
    let mut batch = vec![0u64; 10_000];
    let n = generator.next_batch(&mut batch)?;
    let c = layout.capacity();
    println!(
        "batch of {n}; stats {:?}; capacity: {} IDs/s per node, {} nodes, ends at {} ms",
        generator.stats(),
        c.ids_per_second_per_node,
        c.nodes,
        c.end_ms
    );

    // The generator `next()` uses in Python and Node: node numbers from the
    // environment, or a machine-local slot, with a persisted high-water mark.
    let state = std::env::temp_dir().join(format!("snowid-demo-{}", std::process::id()));
    std::env::set_var("SNOWID_STATE_DIR", &state);
    let from_env = snowid::node::from_env()?;
    println!("from_env: {} -> {}", from_env.source(), from_env.next_id()?);
    drop(from_env);
    let _ = std::fs::remove_dir_all(&state);
    Ok(())
}
