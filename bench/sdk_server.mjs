// The official MCP TypeScript SDK server with tools equivalent to ours:
// `trivial` (a constant text) and `get_assistants` (a page object of the
// same size as Switchboard's answer, passed in as a file). Stateful
// Streamable HTTP (one transport per session) or stdio.
//   node sdk_server.mjs http PORT BODYFILE    |    node sdk_server.mjs stdio BODYFILE
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const mode = process.argv[2];
const bodyFile = mode === 'http' ? process.argv[4] : process.argv[3];
const page = JSON.parse(readFileSync(bodyFile, 'utf8'));

function makeServer() {
  const s = new McpServer({ name: 'sdk-reference', version: '1.0.0' });
  s.registerTool('trivial', { description: 'constant answer', inputSchema: {} },
    async () => ({ content: [{ type: 'text', text: 'ok' }] }));
  s.registerTool('get_assistants', { description: 'a page of assistants', inputSchema: {} },
    async () => ({ content: [{ type: 'text', text: JSON.stringify(page) }], structuredContent: page }));
  return s;
}

if (mode === 'stdio') {
  await makeServer().connect(new StdioServerTransport());
} else {
  const port = Number(process.argv[3]);
  const transports = new Map();
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
    const sid = req.headers['mcp-session-id'];
    let t = sid ? transports.get(sid) : undefined;
    if (!t && req.method === 'POST' && isInitializeRequest(body)) {
      t = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => transports.set(id, t),
      });
      await makeServer().connect(t);
    }
    if (!t) { res.writeHead(400).end('no session'); return; }
    await t.handleRequest(req, res, body);
  });
  server.keepAliveTimeout = 60000;
  server.listen(port, '127.0.0.1', () => console.log('ready'));
}
