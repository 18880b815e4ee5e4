// SPDX-License-Identifier: ISC
// The official TypeScript clients of both generations driving mcp-hotd:
// the v2 client (@modelcontextprotocol/client) pinned to 2026-07-28, or
// the v1 SDK client (2025 initialize).
// usage: node sdk_eras.mjs v2|v1 stdio COMMAND ARGS...
//        node sdk_eras.mjs v2|v1 http URL
// Lists, calls add, answers a tool's elicitation (a request in 2025, an
// input_required result in 2026), takes an image result, waits up to 5 s
// for a tools list change (the caller rewrites the tools file once it
// prints "ready"), prints one JSON report.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const [gen, kind, ...rest] = process.argv.slice(2);

let resolveChanged;
const changed = new Promise((resolve) => { resolveChanged = resolve; });
const onChanged = (err, items) => resolveChanged(items ? items.map((t) => t.name) : null);
let client, transport;
if (gen === "v2") {
  const v2 = await import(require.resolve("@modelcontextprotocol/client"));
  const v2stdio = await import(require.resolve("@modelcontextprotocol/client/stdio"));
  transport = kind === "http"
    ? new v2.StreamableHTTPClientTransport(new URL(rest[0]))
    : new v2stdio.StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
  client = new v2.Client({ name: "sdk-eras-v2", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
    listChanged: { tools: { debounceMs: 0, onChanged } },
    capabilities: { elicitation: {} },
  });
  client.setRequestHandler("elicitation/create", async (request) => elicited(request));
} else {
  const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
  const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
  transport = kind === "http"
    ? new StreamableHTTPClientTransport(new URL(rest[0]))
    : new StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
  client = new Client({ name: "sdk-eras-v1", version: "1.0.0" }, {
    listChanged: { tools: { debounceMs: 0, onChanged } },
    capabilities: { elicitation: {} },
  });
  const types = require("@modelcontextprotocol/sdk/types.js");
  client.setRequestHandler(types.ElicitRequestSchema, async (request) => elicited(request));
}
const report = { elicited: [] };
function elicited(request) {
  report.elicited.push(request.params.message);
  return { action: "accept", content: { name: "sdk" } };
}
try {
  await client.connect(transport);
  report.era = client.getProtocolEra ? client.getProtocolEra() : "legacy";
  report.version = client.getNegotiatedProtocolVersion ? client.getNegotiatedProtocolVersion() : null;
  report.tools = (await client.listTools()).tools.map((t) => t.name);
  report.add = await client.callTool({ name: "add", arguments: { a: 19, b: 23 } });
  report.ask = await client.callTool({ name: "ask", arguments: {} });
  report.picture = await client.callTool({ name: "picture", arguments: {} });
  // Progress and log messages from a Python tool, while it runs.
  report.progress = [];
  report.logs = [];
  if (gen === "v1") {
    const types = require("@modelcontextprotocol/sdk/types.js");
    client.setNotificationHandler(types.LoggingMessageNotificationSchema,
      (n) => report.logs.push(n.params.data));
    await client.setLoggingLevel("info");
    report.steps = await client.callTool({ name: "steps", arguments: { n: 3 } },
      types.CallToolResultSchema, { onprogress: (p) => report.progress.push(p.progress) });
  }
  try {
    await client.callTool({ name: "nope", arguments: {} });
    report.unknown = "no error";
  } catch (e) {
    report.unknown = String(e.message);
  }
  console.log("ready");
  report.changed = await Promise.race([changed,
    new Promise((r) => setTimeout(() => r("no list change within 5 s"), 5000))]);
} catch (e) {
  report.error = String(e && e.stack || e);
}
try {
  await client.close();
} catch (e) {
  report.closeError = String(e);
}
console.log(JSON.stringify(report));
process.exit(0);
