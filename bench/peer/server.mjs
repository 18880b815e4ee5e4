// SPDX-License-Identifier: ISC
// The peer for bench/: a stdio MCP server built with the official
// TypeScript SDK, serving the same `add` tool as bench's tools.json
// (awaiting PEER_DELAY_MS first when set: the I/O-bound section), and the
// same resource template `bench://next/{n}` and prompt `next` (n + 1).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "..", "..", "tests", "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const { McpServer, ResourceTemplate } = require("@modelcontextprotocol/sdk/server/mcp.js");
const { StdioServerTransport } = require("@modelcontextprotocol/sdk/server/stdio.js");
const { z } = require("zod");

const delay = Number(process.env.PEER_DELAY_MS || 0);
const server = new McpServer({ name: "sdk-peer", version: "1.0.0" });
server.registerTool("add", {
  description: "test add tools",
  inputSchema: { a: z.number().int(), b: z.number().int() },
}, async ({ a, b }) => {
  if (delay > 0)
    await new Promise((r) => setTimeout(r, delay));
  return { content: [{ type: "text", text: String(a + b) }] };
});
server.registerResource("next", new ResourceTemplate("bench://next/{n}", { list: undefined }),
  { mimeType: "text/plain" },
  async (uri, { n }) => ({ contents: [{ uri: uri.href, text: String(Number(n) + 1) }] }));
server.registerPrompt("next", { argsSchema: { n: z.string() } },
  ({ n }) => ({ messages: [{ role: "user", content: { type: "text", text: String(Number(n) + 1) } }] }));
await server.connect(new StdioServerTransport());
