// The web page at `/` in headless Chromium (Debian's /usr/bin/chromium, driven
// over CDP by playwright-core) against the real `snowid serve` binary.
//
//   cargo build -p snowid-server && (cd server/tests/browser && npm ci) \
//     && node server/tests/browser/page.test.mjs
//
// Binary: $SNOWID_BIN, else the newer of target/{release,debug}/snowid (under
// $CARGO_TARGET_DIR when set). The server and the browser are started here and
// stopped by PID at the end, also when a check fails. The screenshot goes to
// server/tests/browser/screenshots/ (git-ignored).

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = path.join(HERE, "screenshots");
const DISCORD_EXAMPLE = "175928847299117063"; // https://discord.com/developers/docs/reference#snowflakes

function log(msg) {
  process.stderr.write(`[page.test] ${msg}\n`);
}

function findServer() {
  if (process.env.SNOWID_BIN) return process.env.SNOWID_BIN;
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(ROOT, "target");
  const found = ["release", "debug"]
    .map((p) => path.join(target, p, "snowid"))
    .filter((f) => fs.existsSync(f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!found.length) {
    throw new Error(`no server binary under ${target}/{release,debug}/snowid: run \`cargo build -p snowid-server\` first`);
  }
  return found[0];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(child) {
  return child && child.exitCode === null && child.signalCode === null;
}

function waitExit(child, ms) {
  if (!alive(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

// SIGTERM to the PID, then SIGKILL to its process group (the browser's
// renderers and zygote share it: both children are spawned detached).
async function stop(child, name) {
  if (!child || !child.pid) return;
  if (alive(child)) {
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {}
    if (!(await waitExit(child, 5000))) log(`${name} (pid ${child.pid}) ignored SIGTERM; SIGKILL`);
  }
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  await waitExit(child, 5000);
}

async function startServer(tmp) {
  const bin = findServer();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const stateDir = path.join(tmp, "state");
  fs.mkdirSync(stateDir);
  const logPath = path.join(tmp, "server.log");
  const out = fs.openSync(logPath, "w");
  log(`server: ${bin} serve --listen 127.0.0.1:${port}`);
  const child = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`], {
    cwd: tmp,
    env: { ...process.env, SNOWID_STATE_DIR: stateDir, SNOWID_HOST_LOCK_DIR: "off" },
    stdio: ["ignore", out, out],
    detached: true,
  });
  fs.closeSync(out);
  const deadline = Date.now() + 30000;
  for (;;) {
    if (!alive(child)) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}):\n${fs.readFileSync(logPath, "utf8")}`);
    }
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server not healthy in 30 s:\n${fs.readFileSync(logPath, "utf8")}`);
    await sleep(100);
  }
  return { child, base, logPath };
}

async function startBrowser(tmp) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  const profile = path.join(tmp, "chromium-profile");
  fs.mkdirSync(profile);
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    `--user-data-dir=${profile}`,
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "about:blank",
  ];
  const errPath = path.join(tmp, "chromium.log");
  const err = fs.openSync(errPath, "w");
  const child = spawn(CHROMIUM, args, { stdio: ["ignore", "ignore", err], detached: true });
  fs.closeSync(err);
  // Chromium writes its DevTools port into the profile once it listens.
  const portFile = path.join(profile, "DevToolsActivePort");
  const deadline = Date.now() + 30000;
  let port = null;
  while (port === null) {
    if (!alive(child)) throw new Error(`chromium exited:\n${fs.readFileSync(errPath, "utf8")}`);
    if (Date.now() > deadline) throw new Error(`chromium gave no DevTools port in 30 s:\n${fs.readFileSync(errPath, "utf8")}`);
    try {
      const first = fs.readFileSync(portFile, "utf8").split("\n")[0];
      if (/^\d+$/.test(first)) port = Number(first);
    } catch {}
    if (port === null) await sleep(50);
  }
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  return { child, browser };
}

const text = (page, sel) => page.locator(sel).textContent();

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "snowid-page-test-"));
  let server = null;
  let chrome = null;
  let ok = false;
  const cleanup = async () => {
    if (chrome?.browser) await chrome.browser.close().catch(() => {});
    await stop(chrome?.child, "chromium");
    await stop(server?.child, "server");
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => cleanup().then(() => process.exit(130)));
  process.once("SIGTERM", () => cleanup().then(() => process.exit(143)));
  try {
    server = await startServer(tmp);
    chrome = await startBrowser(tmp);
    const context = await chrome.browser.newContext({
      timezoneId: "Europe/Berlin",
      locale: "en-US",
      viewport: { width: 1100, height: 820 },
    });
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
    page.setDefaultTimeout(10000);

    // 1. The page loads from the server itself, with labelled controls.
    const resp = await page.goto(`${server.base}/`);
    assert.equal(resp.status(), 200, "GET / answers 200");
    assert.match(resp.headers()["content-type"] || "", /text\/html/, "GET / is HTML");
    assert.match(await page.title(), /snowid/);
    await page.getByLabel(/^ID/).waitFor();
    await page.getByLabel("Layout").waitFor();
    const serverLayout = (await (await fetch(`${server.base}/v1/layout`)).json()).name;
    await page.waitForFunction(
      (name) => document.querySelector("#layout-default-option").textContent.includes(name),
      serverLayout,
    );
    log(`page loaded; default layout option names the server's layout (${serverLayout})`);

    // 2. Discord's documented example, decoded with the discord preset.
    await page.fill("#id-input", DISCORD_EXAMPLE);
    await page.selectOption("#layout-select", "discord");
    await page.click("#decode-button");
    await page.locator("#result").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelector("#part-timestamp_ms").textContent !== "");
    assert.equal(await text(page, "#part-layout"), "discord");
    assert.equal(await text(page, "#part-id"), DISCORD_EXAMPLE);
    assert.equal(await text(page, "#part-timestamp_ms"), "1462015105796");
    assert.equal(await text(page, "#time-utc"), "2016-04-30T11:18:25.796Z");
    assert.equal(await text(page, "#time-local"), "2016-04-30 13:18:25.796 +02:00", "local time in Europe/Berlin");
    assert.equal(await text(page, "#node-worker"), "1");
    assert.equal(await text(page, "#node-process"), "0");
    assert.equal(await text(page, "#part-sequence"), "7");
    assert.equal(await text(page, "#enc-decimal"), DISCORD_EXAMPLE);
    assert.equal(await page.locator("#error").isVisible(), false, "no error shown");
    // The bit-field diagram: one group per field, most significant first,
    // each with its bits and value.
    const fields = await page.$$eval("#bits-svg g.field", (gs) =>
      gs.map((g) => [g.dataset.name, Number(g.dataset.bits), g.dataset.value, g.querySelector(".value").textContent]));
    assert.deepEqual(fields, [
      ["timestamp", 42, "41944705796", "63..22 = 41944705796"],
      ["worker", 5, "1", "21..17 = 1"],
      ["process", 5, "0", "16..12 = 0"],
      ["increment", 12, "7", "11..0 = 7"],
    ]);
    const bits = await page.$$eval("#bits-svg g.field text[style]", (ts) => ts.map((t) => t.textContent).join(""));
    assert.equal(bits, BigInt(DISCORD_EXAMPLE).toString(2).padStart(64, "0"), "the 64 bits, in order");
    log("discord example decoded: 1462015105796 = 2016-04-30T11:18:25.796Z, worker 1, process 0, increment 7");

    fs.mkdirSync(SHOTS, { recursive: true });
    // Let the live panel tick once more so the screenshot shows the request.
    await page.waitForTimeout(1200);
    const shot = path.join(SHOTS, "page-discord.png");
    await page.screenshot({ path: shot, fullPage: true });
    log(`screenshot: ${path.relative(process.cwd(), shot)}`);

    // 3. The same ID in the other encodings decodes to the same parts.
    for (const enc of ["hex", "base32", "base62"]) {
      const encoded = await text(page, `#enc-${enc}`);
      assert.ok(encoded, `encoding ${enc} shown`);
      await page.fill("#id-input", encoded);
      await page.click("#decode-button");
      await page.waitForFunction(
        (v) => document.querySelector("#part-id").textContent === v &&
          !document.querySelector("#result").hidden,
        DISCORD_EXAMPLE,
      );
      assert.equal(await text(page, "#part-timestamp_ms"), "1462015105796", `${enc} ${encoded}`);
      assert.equal(await text(page, "#enc-decimal"), DISCORD_EXAMPLE);
    }
    log("hex, base32 and base62 forms decode to the same ID");

    // The default choice decodes with the server's own layout.
    await page.fill("#id-input", DISCORD_EXAMPLE);
    await page.selectOption("#layout-select", "");
    await page.click("#decode-button");
    await page.waitForFunction((name) => document.querySelector("#part-layout").textContent === name, serverLayout);
    await page.selectOption("#layout-select", "discord");
    log(`the server default decodes with ${serverLayout}`);

    // 4. An invalid ID shows the server's error code and message.
    const bad = "12345x";
    const direct = await fetch(`${server.base}/v1/ids/${bad}?layout=discord`);
    const body = await direct.json();
    assert.equal(direct.status, 400);
    assert.match(body.error.code, /^PARSE_/);
    await page.fill("#id-input", bad);
    await page.click("#decode-button");
    await page.locator("#error").waitFor({ state: "visible" });
    assert.equal(await text(page, "#error-code"), body.error.code);
    assert.equal(await text(page, "#error-message"), body.error.message);
    assert.equal(await page.locator("#result").isVisible(), false, "no stale parts next to the error");
    log(`invalid ID shows ${body.error.code}: ${body.error.message}`);

    // 5. Markup in the input is shown as text, never run.
    const evil = `<img src=x onerror="window.__pwned=1">`;
    await page.fill("#id-input", evil);
    await page.click("#decode-button");
    await page.waitForFunction(() => document.querySelector("#error-code").textContent !== "" &&
      document.querySelector("#error").hidden === false);
    await page.waitForTimeout(200);
    assert.equal(await page.locator("#error img").count(), 0, "no element made from the input");
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    log(`markup input shows as text (${await text(page, "#error-code")})`);
    await page.screenshot({ path: path.join(SHOTS, "page-error.png"), fullPage: true });

    // 6. The live panel shows numbers from /v1/stats, and they move.
    const n = 500;
    const ids = await fetch(`${server.base}/v1/next_ids?count=${n}`);
    assert.equal(ids.status, 200);
    await page.waitForFunction(
      (min) => Number(document.querySelector("#stat-issued").textContent.replace(/,/g, "")) >= min,
      n,
      { timeout: 5000 },
    );
    for (const id of ["#stat-ids-per-second", "#stat-issued", "#stat-requests", "#stat-errors",
      "#stat-clock-regressions"]) {
      assert.match(await text(page, id), /^\d[\d,]*$/, `${id} is a number`);
    }
    assert.match(await text(page, "#stat-skew"), /^-?\d[\d,]* ms$/);
    assert.match(await text(page, "#stat-largest-regression"), /^\d[\d,]* ms$/);
    assert.ok(Number((await text(page, "#stat-errors")).replace(/,/g, "")) >= 1, "errors counted the bad IDs");
    log(`live panel: issued ${await text(page, "#stat-issued")}, errors ${await text(page, "#stat-errors")}, ` +
      `IDs/s ${await text(page, "#stat-ids-per-second")}, skew ${await text(page, "#stat-skew")}`);

    // 7. What an operator watches: the node's identity, the runway, the
    // node-number use, and charts of IDs/s and skew from /v1/history.
    const stats = await (await fetch(`${server.base}/v1/stats`)).json();
    const layout = await (await fetch(`${server.base}/v1/layout`)).json();
    assert.match(await text(page, "#node-source"), /local slot/);
    assert.equal(await text(page, "#node-lease"), "no lease");
    const names = layout.fields.filter((f) => f.kind === "node").map((f) => f.name);
    assert.equal(await text(page, "#node-numbers"), stats.lane_nodes[0].map((v, i) => `${names[i]} ${v}`).join(", "));
    assert.equal(await text(page, "#runway-end"), new Date(layout.capacity.end_ms).toISOString().slice(0, 10));
    const years = Number(await text(page, "#runway-years"));
    assert.ok(Math.abs(years - stats.runway_s / (365.25 * 86400)) < 0.2, `years left ${years}`);
    assert.equal(await text(page, "#nodes-use"), "1 of 1,024");
    assert.equal(await text(page, "#nodes-free"), "1,023");
    // The batch of 500 shows as a peak once a history sample follows it.
    await page.waitForFunction(() => {
      const l = document.querySelector("#chart-rate polyline");
      return l && l.getAttribute("points").split(" ").length >= 2 &&
        Number(document.querySelector("#rate-peak").textContent.replace(/,/g, "")) >= 1;
    }, null, { timeout: 8000 });
    assert.equal(await page.locator("#chart-skew polyline").count(), 1, "skew chart drawn");
    await page.screenshot({ path: path.join(SHOTS, "page-operator.png"), fullPage: true });
    log(`operator panels: runway ${years} years to ${await text(page, "#runway-end")}, ` +
      `nodes ${await text(page, "#nodes-use")}, peak ${await text(page, "#rate-peak")} IDs/s`);

    assert.deepEqual(pageErrors.filter((e) => !/status of 400/.test(e)), [], "no script errors on the page");
    ok = true;
  } catch (e) {
    if (server?.logPath && fs.existsSync(server.logPath)) {
      log(`server log:\n${fs.readFileSync(server.logPath, "utf8").slice(-4000)}`);
    }
    throw e;
  } finally {
    await cleanup();
    if (ok) log("all checks passed");
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
