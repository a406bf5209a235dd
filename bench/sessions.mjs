// Open N MCP sessions (initialize + notifications/initialized) against URL
// with bounded concurrency; print the session ids, one per line.
//   node sessions.mjs URL N [KEY] [CONCURRENCY]
import http from 'node:http';

const [url, nArg, key, concArg] = process.argv.slice(2);
const n = Number(nArg), conc = Number(concArg || 32);
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });

function post(body, sid) {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25' };
    if (sid) headers['mcp-session-id'] = sid;
    if (key) headers.authorization = `Bearer ${key}`;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, sid: res.headers['mcp-session-id'] }));
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.end(JSON.stringify(body));
  });
}

const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25',
  capabilities: {}, clientInfo: { name: 'bench', version: '1' } } };
let next = 0; const ids = [];
async function worker() {
  while (next < n) {
    next++;
    const r = await post(init);
    if (r.status !== 200 || !r.sid) throw new Error(`initialize answered ${r.status}`);
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, r.sid);
    ids.push(r.sid);
  }
}
await Promise.all(Array.from({ length: Math.min(conc, n) }, worker));
process.stdout.write(ids.join('\n') + '\n');
agent.destroy();
