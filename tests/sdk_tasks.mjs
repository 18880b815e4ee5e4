// SPDX-License-Identifier: ISC
// The official TypeScript clients running mcp-hotd tools as tasks: the v1
// SDK (2025-11-25, its experimental tasks API) or the v2 client pinned to
// 2026-07-28 declaring the io.modelcontextprotocol/tasks extension.
// usage: node sdk_tasks.mjs v2|v1 stdio COMMAND ARGS...
//        node sdk_tasks.mjs v2|v1 http URL
// The tools file holds "slow" (task optional, v1) or "slow_required"
// (v2), "grow" (appends to the file named by its argument until
// cancelled) and "ask_task" (asks for a name inside its task, v2). Prints
// one JSON report.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, "node");
const require = createRequire(path.join(nodeDir, "package.json"));
const [gen, kind, ...rest] = process.argv.slice(2);
const growPath = process.env.GROW_PATH;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const report = {};
let client, transport;
try {
  if (gen === "v2") {
    // The v2 client 2.4.0's Client refuses resultType "task" on tools/call
    // (SdkError UnsupportedResultType): the extension's messages go over
    // the same package's transports, each request with the 2026 _meta the
    // Client would send, the extension declared.
    const v2 = await import(require.resolve("@modelcontextprotocol/client"));
    const v2stdio = await import(require.resolve("@modelcontextprotocol/client/stdio"));
    transport = kind === "http"
      ? new v2.StreamableHTTPClientTransport(new URL(rest[0]))
      : new v2stdio.StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
    const waiting = new Map();
    transport.onmessage = (m) => {
      if (m.id !== undefined && waiting.has(m.id)) {
        waiting.get(m.id)(m);
        waiting.delete(m.id);
      }
    };
    await transport.start();
    if (transport.setProtocolVersion) transport.setProtocolVersion("2026-07-28");
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "sdk-tasks-v2", version: "1.0.0" },
      "io.modelcontextprotocol/clientCapabilities": {
        elicitation: {}, extensions: { "io.modelcontextprotocol/tasks": {} } },
    };
    let next = 1;
    const rq = (method, params) => new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, (m) => m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result));
      transport.send({ jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } }).catch(reject);
    });
    report.version = "2026-07-28";
    const settle = async (taskId, until) => {
      for (let i = 0; i < 200; i++) {
        const t = await rq("tasks/get", { taskId });
        if (until.includes(t.status)) return t;
        await sleep(100);
      }
      return { status: "never settled" };
    };
    const created = await rq("tools/call", { name: "slow_required", arguments: { seconds: 0.5 } });
    report.created = created;
    report.done = await settle(created.taskId, ["completed", "failed", "cancelled"]);
    const grow = await rq("tools/call", { name: "grow", arguments: { path: growPath } });
    await sleep(1000);
    report.cancelAck = await rq("tasks/cancel", { taskId: grow.taskId });
    report.cancelled = await settle(grow.taskId, ["cancelled", "completed", "failed"]);
    const asked = await rq("tools/call", { name: "ask_task", arguments: {} });
    const pending = await settle(asked.taskId, ["input_required", "completed", "failed"]);
    report.waiting = pending;
    const answers = {};
    for (const key of Object.keys(pending.inputRequests || {}))
      answers[key] = { action: "accept", content: { name: "sdk" } };
    report.updateAck = await rq("tasks/update", { taskId: asked.taskId, inputResponses: answers });
    report.answered = await settle(asked.taskId, ["completed", "failed", "cancelled"]);
    client = transport;
  } else {
    const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
    const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
    const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
    const types = require("@modelcontextprotocol/sdk/types.js");
    transport = kind === "http"
      ? new StreamableHTTPClientTransport(new URL(rest[0]))
      : new StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
    client = new Client({ name: "sdk-tasks-v1", version: "1.0.0" }, { capabilities: {} });
    await client.connect(transport);
    report.version = "2025";
    report.serverTasks = client.getServerCapabilities().tasks;
    report.tools = (await client.listTools()).tools.map((t) => [t.name, t.execution?.taskSupport]);
    report.stream = [];
    for await (const m of client.experimental.tasks.callToolStream(
      { name: "slow", arguments: { seconds: 0.5 } }, types.CallToolResultSchema)) {
      report.stream.push(m.type === "result" ? { type: "result", result: m.result }
        : m.type === "error" ? { type: "error", error: String(m.error) }
          : { type: m.type, status: m.task?.status, taskId: m.task?.taskId });
    }
    const created = await client.request({ method: "tools/call",
      params: { name: "grow", arguments: { path: growPath }, task: { ttl: 60000 } } },
    types.CreateTaskResultSchema);
    report.growTask = created.task;
    await sleep(1000);
    report.cancelled = await client.experimental.tasks.cancelTask(created.task.taskId);
    report.afterCancel = await client.experimental.tasks.getTask(created.task.taskId);
    report.list = (await client.experimental.tasks.listTasks()).tasks.map((t) => t.status);
  }
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
