// SPDX-License-Identifier: ISC
// The Inspector CLI's own client code, called as its cli.js calls it for
// one `--cli URL --method tools/call --tool-name add` run (a transport, a
// client and a session of its own, connect, callTool, disconnect), again
// and again in one process: the run's work without a node start each
// time (~1.2 s). usage: node inspector_calls.mjs URL MIN
// Calls add(i, 1) until it has made MIN calls and its stdin is closed;
// prints one JSON line {calls, failures, tools}.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const build = path.join(nodeDir, "node_modules", "@modelcontextprotocol", "inspector", "cli",
  "build");
const { connect, callTool, disconnect, listTools } =
  await import(pathToFileURL(path.join(build, "client", "index.js")));
const { createTransport } = await import(pathToFileURL(path.join(build, "transport.js")));
// The SDK module the CLI's own bare import resolves to.
const { Client } = await import(pathToFileURL(path.join(nodeDir, "node_modules",
  "@modelcontextprotocol", "sdk", "dist", "esm", "client", "index.js")).href);
const [url, min] = [process.argv[2], Number(process.argv[3] || 500)];

let stdinClosed = false;
process.stdin.on("end", () => { stdinClosed = true; });
process.stdin.resume();

const report = { calls: 0, failures: [] };
async function once(fn) {
  const transport = createTransport({ transportType: "http", url });
  const client = new Client({ name: "inspector-cli", version: "0.5.1" });
  try {
    await connect(client, transport);
    return await fn(client);
  } finally {
    await disconnect(transport).catch(() => {});
  }
}
while (report.calls < min || !stdinClosed) {
  const i = report.calls++;
  try {
    const r = await once((c) => callTool(c, "add", { a: String(i), b: "1" }));
    const text = r?.content?.[0]?.text;
    if (text !== String(i + 1))
      report.failures.push(JSON.stringify(r).slice(0, 300));
  } catch (e) {
    report.failures.push(String(e && e.message || e).slice(0, 300));
  }
}
try {
  report.tools = (await once((c) => listTools(c))).tools.map((t) => t.name);
} catch (e) {
  report.toolsError = String(e);
}
console.log(JSON.stringify(report));
process.exit(0);
