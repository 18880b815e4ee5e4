// SPDX-License-Identifier: ISC
// The official TypeScript SDK client (v1) calling tools written for
// FastMCP, as a client with elicitation, sampling and roots: it answers
// each request from the table below and records every notification.
// usage: node fastmcp_client.mjs CALLS_JSON stdio COMMAND ARGS...
//        node fastmcp_client.mjs CALLS_JSON http URL
// CALLS_JSON: [[tool, arguments], ...]. Prints one JSON report:
// {tools, calls: [{name, result | error, logs, progress, requests}]}.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
const types = require("@modelcontextprotocol/sdk/types.js");

const [callsJson, kind, ...rest] = process.argv.slice(2);
const calls = JSON.parse(callsJson);
const transport = kind === "http"
  ? new StreamableHTTPClientTransport(new URL(rest[0]))
  : new StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
const client = new Client({ name: "fastmcp-test", version: "1.0.0" },
  { capabilities: { elicitation: {}, sampling: {}, roots: { listChanged: false } } });

let current = null;     // the call whose notifications and requests these are
// The user's answers, from the requested schema: a property's default,
// else the last choice, else 36, true or "Ada"; "decline" in the message
// declines.
function valueFor(p) {
  if (p.default !== undefined) return p.default;
  if (p.enum) return p.enum[p.enum.length - 1];
  if (p.oneOf) return p.oneOf[p.oneOf.length - 1].const;
  if (p.type === "integer" || p.type === "number") return 36;
  if (p.type === "boolean") return true;
  if (p.type === "array") return (p.items.enum || (p.items.anyOf || []).map((o) => o.const)).slice(0, 2);
  return "Ada";
}
function elicit(params) {
  if (params.message.includes("decline")) return { action: "decline" };
  const content = {};
  for (const [k, p] of Object.entries(params.requestedSchema.properties || {})) content[k] = valueFor(p);
  return { action: "accept", content };
}
client.setRequestHandler(types.ElicitRequestSchema, async (request) => {
  current && current.requests.push({ method: "elicitation/create", params: request.params });
  return elicit(request.params);
});
client.setRequestHandler(types.CreateMessageRequestSchema, async (request) => {
  current && current.requests.push({ method: "sampling/createMessage", params: request.params });
  const first = request.params.messages[0].content;
  return { role: "assistant", model: "fake-model", stopReason: "endTurn",
           content: { type: "text", text: `sampled: ${first.text}` } };
});
client.setRequestHandler(types.ListRootsRequestSchema, async () => {
  current && current.requests.push({ method: "roots/list" });
  return { roots: [{ uri: "file:///srv/data", name: "data" }] };
});
client.setNotificationHandler(types.LoggingMessageNotificationSchema, (n) => {
  current && current.logs.push(n.params);
});

const report = { calls: [] };
try {
  await client.connect(transport);
  // Progress as the transport delivers it: the SDK hands notifications to
  // their handlers a microtask later but settles a response at once, so a
  // progress notification read in the same chunk as its call's result
  // reaches no onprogress (protocol.js _onnotification vs _onresponse).
  const deliver = transport.onmessage;
  transport.onmessage = (m, extra) => {
    if (m.method === "notifications/progress" && current) current.progress.push(m.params);
    return deliver(m, extra);
  };
  await client.setLoggingLevel("debug");
  report.tools = (await client.listTools()).tools;
  for (const [name, args] of calls) {
    current = { name, logs: [], progress: [], requests: [] };
    try {
      current.result = await client.callTool({ name, arguments: args },
        types.CallToolResultSchema, { onprogress: () => {}, timeout: 20000 });
    } catch (e) {
      current.error = String(e.message || e);
    }
    // A log message sent just before the result may trail it by a turn.
    await new Promise((r) => setTimeout(r, 20));
    report.calls.push(current);
  }
} catch (e) {
  report.error = String(e && e.stack || e);
}
try {
  if (kind === "http") await transport.terminateSession();
  await client.close();
} catch (e) {
  report.closeError = String(e);
}
console.log(JSON.stringify(report));
process.exit(0);
