// snowid quickstart (CommonJS). In your project: require('snowid').
// Run: make -C bindings-node demo
const snowid = require('../../bindings-node');

// One ID from the process-wide default generator: configure({...}), else
// SNOWID_* (SNOWID_WORKER_ID, SNOWID_LAYOUT...), else a machine-local slot.
const id = snowid.next(); // bigint
console.log('id        ', id);
console.log('as string ', snowid.nextString()); // for JSON
console.log('inspect   ', snowid.inspect(id));
console.log('base32    ', snowid.encode(id, 'base32'), '->', snowid.parse(snowid.encode(id, 'base32'), 'base32'));

// An explicit generator: Discord layout, worker 3, process 1 (locked on
// this machine while it lives: a second holder gets SNOWID_NODE_IN_USE).
const gen = new snowid.Generator({ layout: 'discord', worker: 3, process: 1 });
const batch = gen.nextBatch(5); // BigUint64Array, filled in one call
console.log('discord   ', Array.from(batch, String));
console.log('decoded   ', gen.layout.decode(batch[0]));

// Range queries: every ID made during the last hour.
const layout = snowid.Layout.twitter();
const from = layout.minIdAt(new Date(Date.now() - 3_600_000));
const to = layout.maxIdAt(new Date());
console.log(`SELECT * FROM t WHERE id BETWEEN ${from} AND ${to}`);
console.log('capacity  ', layout.capacity());

// Errors have a stable code.
try {
  new snowid.Generator({ datacenter: 0, worker: 99 });
} catch (e) {
  console.log('error     ', e.name, e.code, e.message);
}
