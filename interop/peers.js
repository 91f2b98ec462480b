// The real npm Snowflake library for snowid's interop check (make
// test-interop): @sapphire/snowflake, with its Discord and Twitter epochs.
//
//   node peers.js generate   IDs made by each peer: at the current time at
//                            known worker/process numbers, and at edge values
//                            given explicitly (epoch, last instant, max fields)
//   node peers.js decode     IDs read from stdin ({"<peer>": ["<id>", ...]}),
//                            split by the peer's own deconstruct()
//
// Both print one JSON array of {peer, id, time_ms, nodes, sequence}: the
// peer's own decomposition; IDs and times as decimal strings (bigint).
'use strict';

const { DiscordSnowflake, TwitterSnowflake } = require('@sapphire/snowflake');

// Peer names, as the driver (check.py) knows them, and the time field's
// width in the layout each claims (Discord: 42 bits; Twitter: 41 and a sign bit).
const PEERS = {
  'sapphire/discord': { snowflake: DiscordSnowflake, timeBits: 42n },
  'sapphire/twitter': { snowflake: TwitterSnowflake, timeBits: 41n },
};
const MAX_FIELD = 31n;
const MAX_INCREMENT = 4095n;
const PER_NODE = 4200; // more than 4096: the instance's increment wraps

function parts(peer, id) {
  const d = PEERS[peer].snowflake.deconstruct(id);
  return {
    peer,
    id: d.id.toString(),
    time_ms: d.timestamp.toString(),
    nodes: { workerId: d.workerId.toString(), processId: d.processId.toString() },
    sequence: d.increment.toString(),
  };
}

function generate() {
  const out = [];
  for (const [peer, { snowflake, timeBits }] of Object.entries(PEERS)) {
    for (const [workerId, processId] of [[0n, 0n], [1n, 2n], [MAX_FIELD, MAX_FIELD]]) {
      for (let i = 0; i < PER_NODE; i++) out.push(parts(peer, snowflake.generate({ workerId, processId })));
    }
    const first = snowflake.epoch;
    const last = snowflake.epoch + (1n << timeBits) - 1n;
    for (const timestamp of [first, first + 1n, BigInt(Date.now()), last]) {
      for (const increment of [0n, 1n, MAX_INCREMENT]) {
        for (const [workerId, processId] of [[0n, 0n], [MAX_FIELD, 0n], [0n, MAX_FIELD], [MAX_FIELD, MAX_FIELD]]) {
          out.push(parts(peer, snowflake.generate({ timestamp, increment, workerId, processId })));
        }
      }
    }
  }
  return out;
}

function decode(input) {
  const out = [];
  for (const [peer, ids] of Object.entries(input)) {
    if (!(peer in PEERS)) throw new Error(`unknown peer ${JSON.stringify(peer)}`);
    for (const id of ids) out.push(parts(peer, BigInt(id)));
  }
  return out;
}

const mode = process.argv[2];
if (mode === 'generate') {
  process.stdout.write(JSON.stringify(generate()) + '\n');
} else if (mode === 'decode') {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    process.stdout.write(JSON.stringify(decode(JSON.parse(Buffer.concat(chunks).toString()))) + '\n');
  });
} else {
  process.stderr.write('usage: node peers.js generate | node peers.js decode < ids.json\n');
  process.exit(2);
}
