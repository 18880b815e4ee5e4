// SPDX-License-Identifier: ISC
// The official TypeScript SDK client driving mcp-hotd.
// usage: node sdk_client.mjs MCP_HOTD TOOLS_JSON   (stdio: spawns the server)
//        node sdk_client.mjs --http URL            (Streamable HTTP)
// Prints one JSON report of what it saw.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");

const [a, b] = process.argv.slice(2);
const transport = a === "--http"
  ? new StreamableHTTPClientTransport(new URL(b))
  : new StdioClientTransport({ command: a, args: ["--stdio", "-c", b], stderr: "inherit" });
const client = new Client({ name: "sdk-test", version: "1.0.0" });
await client.connect(transport);
const report = {
  server: client.getServerVersion(),
  capabilities: client.getServerCapabilities(),
  tools: (await client.listTools()).tools,
  add: await client.callTool({ name: "add", arguments: { a: 19, b: 23 } }),
  structured: await client.callTool({ name: "info", arguments: { word: "héllo" } }),
  error: await client.callTool({ name: "fail", arguments: {} }),
  badArgs: await client.callTool({ name: "add", arguments: { a: "x", b: 1 } }),
};
try {
  await client.callTool({ name: "nope", arguments: {} });
  report.unknown = "no error";
} catch (e) {
  report.unknown = String(e.message);
}
report.sessionId = transport.sessionId ?? null;
if (a === "--http") await transport.terminateSession();
await client.close();
console.log(JSON.stringify(report));
