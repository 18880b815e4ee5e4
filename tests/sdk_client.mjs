// The official TypeScript SDK client driving mcp-hotd over stdio.
// usage: node sdk_client.mjs MCP_HOTD TOOLS_JSON  -> prints one JSON report
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "node", "package.json"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");

const [bin, tools] = process.argv.slice(2);
const transport = new StdioClientTransport({
  command: bin, args: ["--stdio", "-c", tools], stderr: "inherit",
});
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
await client.close();
console.log(JSON.stringify(report));
