// SPDX-License-Identifier: ISC
// The official TypeScript SDK client as a client of --clients: it sends
// its bearer token, lists, calls a tool of its own and one of another's.
// usage: node clients_sdk.mjs URL TOKEN VISIBLE HIDDEN
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");

const [url, token, visible, hidden] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "sdk-clients", version: "1.0.0" });
await client.connect(transport);
const report = {
  tools: (await client.listTools()).tools.map((t) => t.name),
  visible: await client.callTool({ name: visible, arguments: {} }),
};
try {
  await client.callTool({ name: hidden, arguments: {} });
  report.hidden = "no error";
} catch (e) {
  report.hidden = String(e.message);
}
await transport.terminateSession();
await client.close();
console.log(JSON.stringify(report));
