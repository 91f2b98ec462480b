//! `cargo bench -p snowid --bench codec`
//!
//! Every encoding and parser side by side with the reference for the job,
//! measured in the same run, then a summary table with the ratio (target:
//! <= 1.2x the reference):
//!
//! | ours | reference |
//! |---|---|
//! | decimal encode | `itoa` |
//! | decimal parse | `u64::from_str` |
//! | hex encode | `faster-hex` and `hex` (the faster of the two) |
//! | hex parse | `u64::from_str_radix(_, 16)` and `faster-hex` decode (the faster) |
//! | base32 encode | no crate encodes a `u64` as Crockford base32 without allocating: `faster-hex` (the same job, fixed bit groups through a table) |
//! | base32 parse | `u64::from_str_radix(_, 32)` (same radix, RFC alphabet) |
//! | base62 encode | the `base62` crate (`encode_bytes`) |
//! | base62 parse | the `base62` crate (`decode`) |
//!
//! Inputs cycle through 1024 different IDs (realistic Twitter-layout IDs of
//! today plus random ones), so branch predictors cannot learn one value.

use std::hint::black_box;
use std::str::FromStr;
use std::time::Instant;

use criterion::Throughput;
use snowid::{Encoding, MAX_ENCODED_LEN};

mod common;

const N: usize = 1024;

fn ids() -> Vec<u64> {
    // xorshift: deterministic, no dependency.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..N)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i % 2 == 0 {
                // A Twitter-layout ID of 2026: 19 decimal digits.
                (1u64 << 62) | (x >> 2)
            } else {
                x
            }
        })
        .collect()
}

type Op<'a> = Box<dyn FnMut(usize) -> usize + 'a>;

/// One row: our operation and the reference ones (the fastest counts).
struct Row<'a> {
    name: &'static str,
    ours: Op<'a>,
    refs: Vec<(&'static str, Op<'a>)>,
}

fn rows<'a>(ids: &'a [u64], text: &'a [[String; 5]]) -> Vec<Row<'a>> {
    let enc = |e: Encoding| -> Op<'a> {
        let mut buf = [0u8; MAX_ENCODED_LEN];
        Box::new(move |i| e.encode_into(black_box(ids[i]), &mut buf).len())
    };
    let parse = |e: Encoding, k: usize| -> Op<'a> {
        Box::new(move |i| e.parse(black_box(&text[i][k])).unwrap() as usize)
    };
    vec![
        Row {
            name: "encode decimal",
            ours: enc(Encoding::Decimal),
            refs: vec![("itoa", {
                let mut b = itoa::Buffer::new();
                Box::new(move |i| b.format(black_box(ids[i])).len())
            })],
        },
        Row {
            name: "parse decimal",
            ours: parse(Encoding::Decimal, 0),
            refs: vec![(
                "u64::from_str",
                Box::new(move |i| u64::from_str(black_box(&text[i][0])).unwrap() as usize),
            )],
        },
        Row {
            name: "encode hex",
            ours: enc(Encoding::Hex),
            refs: vec![
                ("faster-hex", {
                    let mut buf = [0u8; 16];
                    Box::new(move |i| {
                        faster_hex::hex_encode(&black_box(ids[i]).to_be_bytes(), &mut buf)
                            .unwrap()
                            .len()
                    })
                }),
                ("hex", {
                    let mut buf = [0u8; 16];
                    Box::new(move |i| {
                        hex::encode_to_slice(black_box(ids[i]).to_be_bytes(), &mut buf).unwrap();
                        buf[0] as usize
                    })
                }),
            ],
        },
        Row {
            name: "parse hex",
            ours: parse(Encoding::Hex, 1),
            refs: vec![
                (
                    "u64::from_str_radix 16",
                    Box::new(move |i| {
                        u64::from_str_radix(black_box(&text[i][1]), 16).unwrap() as usize
                    }),
                ),
                (
                    "faster-hex decode",
                    Box::new(move |i| {
                        let mut b = [0u8; 8];
                        faster_hex::hex_decode(black_box(text[i][1].as_bytes()), &mut b).unwrap();
                        u64::from_be_bytes(b) as usize
                    }),
                ),
            ],
        },
        Row {
            name: "encode base32",
            ours: enc(Encoding::Base32),
            refs: vec![("faster-hex (nearest job)", {
                let mut buf = [0u8; 16];
                Box::new(move |i| {
                    faster_hex::hex_encode(&black_box(ids[i]).to_be_bytes(), &mut buf)
                        .unwrap()
                        .len()
                })
            })],
        },
        Row {
            name: "parse base32",
            ours: parse(Encoding::Base32, 2),
            refs: vec![(
                "u64::from_str_radix 32",
                Box::new(move |i| {
                    // Same radix and width, RFC 4648 "hex" alphabet (0-9a-v).
                    u64::from_str_radix(black_box(&text[i][3]), 32).unwrap() as usize
                }),
            )],
        },
        Row {
            name: "encode base62",
            ours: enc(Encoding::Base62),
            refs: vec![("base62 crate", {
                let mut buf = [0u8; 22];
                Box::new(move |i| base62::encode_bytes(black_box(ids[i]), &mut buf).unwrap())
            })],
        },
        Row {
            name: "parse base62",
            ours: parse(Encoding::Base62, 4),
            refs: vec![(
                "base62 crate",
                Box::new(move |i| base62::decode(black_box(&text[i][4])).unwrap() as usize),
            )],
        },
    ]
}

/// Inputs per ID: decimal, hex, base32, std radix-32 text, base62.
fn texts(ids: &[u64]) -> Vec<[String; 5]> {
    ids.iter()
        .map(|&id| {
            let radix32: String = (0..13)
                .map(|i| {
                    let d = (id >> (60 - 5 * i)) & 31;
                    char::from_digit(d as u32, 32).unwrap()
                })
                .collect();
            [
                Encoding::Decimal.encode(id),
                Encoding::Hex.encode(id),
                Encoding::Base32.encode(id),
                radix32,
                Encoding::Base62.encode(id),
            ]
        })
        .collect()
}

/// Best of `rounds` passes over the 1024 inputs, ns per operation.
fn ns_per_op(rounds: usize, op: &mut Op<'_>) -> f64 {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            let mut sink = 0usize;
            for _ in 0..200 {
                for i in 0..N {
                    sink = sink.wrapping_add(op(i));
                }
            }
            black_box(sink);
            t.elapsed().as_nanos() as f64 / (200 * N) as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let ids = ids();
    let text = texts(&ids);
    let mut c = common::quick_criterion();
    {
        let mut g = c.benchmark_group("codec_vs_reference");
        g.throughput(Throughput::Elements(N as u64));
        for mut row in rows(&ids, &text) {
            g.bench_function(format!("{} / snowid", row.name), |b| {
                b.iter(|| (0..N).map(&mut row.ours).sum::<usize>())
            });
            for (r, op) in row.refs.iter_mut() {
                g.bench_function(format!("{} / {r}", row.name), |b| {
                    b.iter(|| (0..N).map(&mut *op).sum::<usize>())
                });
            }
        }
        g.finish();
    }
    c.final_summary();

    println!("\n== encodings vs references (same run, ns per ID, best of 7) ==");
    println!(
        "{:<16} {:>8}  {:<26} {:>8}  {:>6}",
        "operation", "snowid", "reference (fastest)", "ref", "ratio"
    );
    for mut row in rows(&ids, &text) {
        let ours = ns_per_op(7, &mut row.ours);
        let (name, best) = row
            .refs
            .iter_mut()
            .map(|(n, op)| (*n, ns_per_op(7, op)))
            .fold(("", f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
        println!(
            "{:<16} {:>8.2}  {:<26} {:>8.2}  x{:.2}{}",
            row.name,
            ours,
            name,
            best,
            ours / best,
            if ours / best <= 1.2 {
                ""
            } else {
                "  (above the 1.2x target)"
            }
        );
    }
}
