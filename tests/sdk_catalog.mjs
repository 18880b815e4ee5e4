// SPDX-License-Identifier: ISC
// The official TypeScript clients using mcp-hotd's resources, templates,
// prompts and completions: the v1 SDK (2025-11-25) or the v2 client pinned
// to 2026-07-28.
// usage: node sdk_catalog.mjs v2|v1 stdio COMMAND ARGS...
//        node sdk_catalog.mjs v2|v1 http URL
// Lists and reads (static, coded, through a template), gets a prompt with
// arguments, completes an argument, subscribes to note://today, prints
// "ready" (the caller then edits the tools file: the note's text and a new
// prompt), waits up to 8 s for the prompts list change and the resource's
// update, reads and gets again, prints one JSON report.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const [gen, kind, ...rest] = process.argv.slice(2);

let gotPrompts, gotUpdate;
const promptsChanged = new Promise((r) => { gotPrompts = r; });
const updated = new Promise((r) => { gotUpdate = r; });
const onPrompts = (err, items) => gotPrompts(items ? items.map((p) => p.name) : String(err));
let client, transport, types;
if (gen === "v2") {
  const v2 = await import(require.resolve("@modelcontextprotocol/client"));
  const v2stdio = await import(require.resolve("@modelcontextprotocol/client/stdio"));
  transport = kind === "http"
    ? new v2.StreamableHTTPClientTransport(new URL(rest[0]))
    : new v2stdio.StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
  client = new v2.Client({ name: "sdk-catalog-v2", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
    listChanged: { prompts: { debounceMs: 0, onChanged: onPrompts } },
  });
  client.setNotificationHandler("notifications/resources/updated",
    (n) => gotUpdate(n.params.uri));
} else {
  const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
  const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
  types = require("@modelcontextprotocol/sdk/types.js");
  transport = kind === "http"
    ? new StreamableHTTPClientTransport(new URL(rest[0]))
    : new StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
  client = new Client({ name: "sdk-catalog-v1", version: "1.0.0" }, {
    listChanged: { prompts: { debounceMs: 0, onChanged: onPrompts } },
  });
  client.setNotificationHandler(types.ResourceUpdatedNotificationSchema,
    (n) => gotUpdate(n.params.uri));
}
const report = {};
const within = (p, what) => Promise.race([p,
  new Promise((r) => setTimeout(() => r(`no ${what} within 8 s`), 8000))]);
try {
  await client.connect(transport);
  report.version = client.getNegotiatedProtocolVersion ? client.getNegotiatedProtocolVersion()
    : client.getServerVersion() && "2025";
  report.resources = (await client.listResources()).resources.map((r) => r.uri);
  report.templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
  report.prompts = (await client.listPrompts()).prompts.map((p) => p.name);
  report.note = (await client.readResource({ uri: "note://today" })).contents;
  report.coded = (await client.readResource({ uri: "calc://answer" })).contents;
  report.template = (await client.readResource({ uri: "calc://double/21" })).contents;
  report.prompt = (await client.getPrompt({ name: "greet", arguments: { who: "Ada", style: "warm" } })).messages;
  report.complete = (await client.complete({ ref: { type: "ref/prompt", name: "greet" },
    argument: { name: "style", value: "w" } })).completion;
  if (gen === "v2")
    report.listen = await client.listen({ resourceSubscriptions: ["note://today"] });
  else
    report.subscribe = await client.subscribeResource({ uri: "note://today" });
  console.log("ready");
  report.promptsChanged = await within(promptsChanged, "prompts list change");
  report.updated = await within(updated, "resources/updated");
  report.note2 = (await client.readResource({ uri: "note://today" })).contents;
  report.prompt2 = (await client.getPrompt({ name: "farewell", arguments: {} })).messages;
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
