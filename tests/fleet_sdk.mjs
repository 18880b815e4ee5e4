// SPDX-License-Identifier: ISC
// An official client through a balancer in front of a fleet: the v1 SDK
// (MCP 2025, a session) or the v2 client pinned to 2026-07-28 (no
// session). N calls of add, one at a time, counting failures, listening for
// tools/list_changed; then a tool that asks it a question (answered) and
// a call it cancels. Prints "sid ID" once connected, "n K" every 25 calls,
// then one JSON report.
// usage: node fleet_sdk.mjs v1|v2 URL N asks|no-asks
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
const types = require("@modelcontextprotocol/sdk/types.js");

const [gen, url, n, asks] = process.argv.slice(2);
const report = { calls: 0, failures: [], listChanged: 0 };
const answer = async () => ({ action: "accept", content: { name: "fleet" } });
let transport, client;
if (gen === "v2") {
  const v2 = await import(require.resolve("@modelcontextprotocol/client"));
  transport = new v2.StreamableHTTPClientTransport(new URL(url));
  client = new v2.Client({ name: "fleet-v2", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
    listChanged: { tools: { debounceMs: 0, onChanged: () => { report.listChanged++; } } },
    capabilities: { elicitation: {} },
  });
  client.setRequestHandler("elicitation/create", answer);
} else {
  transport = new StreamableHTTPClientTransport(new URL(url), {
    reconnectionOptions: { maxReconnectionDelay: 1000, initialReconnectionDelay: 100,
      reconnectionDelayGrowFactor: 1.5, maxRetries: 50 },
  });
  client = new Client({ name: "fleet-sdk", version: "1.0.0" },
    { capabilities: { elicitation: {} } });
  client.setNotificationHandler(types.ToolListChangedNotificationSchema, () => {
    report.listChanged++;
  });
  client.setRequestHandler(types.ElicitRequestSchema, answer);
}
await client.connect(transport);
console.log(`sid ${transport.sessionId}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 1; i <= Number(n); i++) {
  try {
    const r = await client.callTool({ name: "add", arguments: { a: i, b: 1 } });
    if (r.content?.[0]?.text !== String(i + 1)) report.failures.push(`call ${i}: ${JSON.stringify(r)}`);
  } catch (e) {
    report.failures.push(`call ${i}: ${e.message}`);
  }
  report.calls++;
  if (i % 25 === 0) console.log(`n ${i}`);
  await sleep(15);
}
// The new tool, as a client that was told would see it.
for (let k = 0; k < 40 && report.listChanged === 0; k++) await sleep(100);
report.tools = (await client.listTools()).tools.map((t) => t.name);
if (asks === "asks") {
// Asked back through the balancer: the answer must reach the call's instance.
try {
  report.ask = (await client.callTool({ name: "ask", arguments: {} })).content?.[0]?.text;
} catch (e) {
  report.ask = `error: ${e.message}`;
}
// Cancelled: notifications/cancelled must reach it too.
const abort = new AbortController();
setTimeout(() => abort.abort("enough"), 500);
const t0 = Date.now();
// (The v1 SDK rejects the call; the 2026 wire may answer it instead.)
try {
  // v1: callTool(params, resultSchema, options); v2: callTool(params, options)
  const r = gen === "v2"
    ? await client.callTool({ name: "nap", arguments: { s: 30 } }, { signal: abort.signal })
    : await client.callTool({ name: "nap", arguments: { s: 30 } }, undefined,
      { signal: abort.signal });
  report.cancel = `answered after ${Date.now() - t0} ms: ${JSON.stringify(r).slice(0, 200)}`;
} catch (e) {
  report.cancel = `cancelled after ${Date.now() - t0} ms`;
}
await sleep(300);
// The nap's worker is free again only if the cancel reached its call.
const t1 = Date.now();
try {
  report.after = (await client.callTool({ name: "nap", arguments: { s: 0 } })).content?.[0]?.text;
} catch (e) {
  report.after = `error: ${e.message}`;
}
report.afterMs = Date.now() - t1;
}
report.sessionId = transport.sessionId;
await client.close();
console.log(JSON.stringify(report));
