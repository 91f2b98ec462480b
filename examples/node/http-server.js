// An HTTP handler that returns IDs as strings in JSON (JSON has no 64-bit
// integers: a bigint as a JSON number would lose precision in JavaScript
// clients). Listens on 127.0.0.1, serves a bounded number of requests from
// its own client, prints them and exits.
const http = require('node:http');
const snowid = require('../../bindings-node');

const REQUESTS = 5;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/orders') {
    const id = snowid.nextString();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, createdAt: snowid.inspect(id).timestamp }));
  } else {
    res.writeHead(404).end();
  }
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const seen = new Set();
  for (let i = 0; i < REQUESTS; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST' });
    const body = await r.json();
    console.log(r.status, body);
    if (r.status !== 201 || typeof body.id !== 'string' || seen.has(body.id)) {
      console.error('unexpected response');
      process.exitCode = 1;
    }
    seen.add(body.id);
  }
  server.close();
});
