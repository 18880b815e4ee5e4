// SPDX-License-Identifier: ISC
// The official v1 SDK client (MCP 2025) through a balancer in front of a
// fleet: N calls of add, one at a time, counting failures, listening for
// tools/list_changed. Prints "sid ID" once connected, "n K" every 25 calls,
// then one JSON report.
// usage: node fleet_sdk.mjs URL N
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
const { ToolListChangedNotificationSchema } = require("@modelcontextprotocol/sdk/types.js");

const [url, n] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  reconnectionOptions: { maxReconnectionDelay: 1000, initialReconnectionDelay: 100,
    reconnectionDelayGrowFactor: 1.5, maxRetries: 50 },
});
const client = new Client({ name: "fleet-sdk", version: "1.0.0" });
const report = { calls: 0, failures: [], listChanged: 0 };
client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
  report.listChanged++;
});
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
report.sessionId = transport.sessionId;
await client.close();
console.log(JSON.stringify(report));
