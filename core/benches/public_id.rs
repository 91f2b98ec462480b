//! `cargo bench -p snowid --bench public_id`
//!
//! Keyed public IDs (FF1 over AES-128 and AES-256): encode and decode, ns
//! per call, beside the base32 encoding of the same IDs (what a public ID
//! costs over showing the ID itself). Inputs cycle through 1024 IDs.

use std::hint::black_box;

use snowid::{Encoding, PublicIds};

mod common;

use common::{best_ns, quick_criterion};

const N: usize = 1024;

fn ids() -> Vec<u64> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..N)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (1u64 << 62) | (x >> 2)
        })
        .collect()
}

fn main() {
    let ids = ids();
    let aes128 = PublicIds::new(&[7; 16]).unwrap();
    let aes256 = PublicIds::with_context(&[7; 32], "users").unwrap();
    let mut c = quick_criterion();
    let mut g = c.benchmark_group("public_id");
    for (name, p) in [("aes128", &aes128), ("aes256", &aes256)] {
        let texts: Vec<String> = ids.iter().map(|&i| p.encode(i)).collect();
        let mut i = 0;
        g.bench_function(format!("encode_{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % N;
                let mut buf = [0; 16];
                black_box(p.encode_into(black_box(ids[i]), &mut buf).len())
            })
        });
        g.bench_function(format!("decode_{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % N;
                black_box(p.decode(black_box(&texts[i])).unwrap())
            })
        });
    }
    g.finish();

    // The summary: best of 5 runs of 200k calls each, same run.
    let mut i = 0;
    let mut next = || {
        i = (i + 1) % N;
        i
    };
    let texts: Vec<String> = ids.iter().map(|&i| aes128.encode(i)).collect();
    let b32: Vec<String> = ids.iter().map(|&i| Encoding::Base32.encode(i)).collect();
    let rows = [
        (
            "public id encode (AES-128)",
            best_ns(5, 200_000, || {
                let mut buf = [0; 16];
                black_box(aes128.encode_into(ids[next()], &mut buf).len());
            }),
        ),
        (
            "public id decode (AES-128)",
            best_ns(5, 200_000, || {
                black_box(aes128.decode(&texts[next()]).unwrap());
            }),
        ),
        (
            "public id encode (AES-256)",
            best_ns(5, 200_000, || {
                let mut buf = [0; 16];
                black_box(aes256.encode_into(ids[next()], &mut buf).len());
            }),
        ),
        (
            "base32 encode (reference)",
            best_ns(5, 200_000, || {
                let mut buf = [0; snowid::MAX_ENCODED_LEN];
                black_box(Encoding::Base32.encode_into(ids[next()], &mut buf).len());
            }),
        ),
        (
            "base32 parse (reference)",
            best_ns(5, 200_000, || {
                black_box(Encoding::Base32.parse(&b32[next()]).unwrap());
            }),
        ),
    ];
    println!("\n| operation | ns per call |\n|---|---|");
    for (name, ns) in rows {
        println!("| {name} | {ns:.0} |");
    }
}
