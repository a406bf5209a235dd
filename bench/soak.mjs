// Soak: many sessions with open SSE streams and continuous tool calls for a
// bounded time, against a server this script starts (loopback, free port) and
// stops. Samples the server's RSS and open file descriptors; reports growth.
//   node bench/soak.mjs --bin BIN --sessions 1000 --seconds 60 [--concurrency 32]
//                       [--max-fd-growth 8] [--max-rss-growth-kib 20000]
// Exit 1 when descriptors are left open after all sessions ended, the growth
// limits are passed, any call failed, or the server exits badly (sanitizer).
// Prints "soak: N passed, M failed" (checks) as its last line.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const BIN = arg('bin', 'build/switchboard');
const N = Number(arg('sessions', 1000)), SECS = Number(arg('seconds', 60));
const CONC = Number(arg('concurrency', 32));
const MAX_FD = Number(arg('max-fd-growth', 8)), MAX_RSS = Number(arg('max-rss-growth-kib', 20000));

const dir = mkdtempSync(join(tmpdir(), 'sb-soak-'));
const db = join(dir, 'db');
const run = (...a) => execFileSync(BIN, a, { encoding: 'utf8', env: { ...process.env, SWITCHBOARD_LOG: 'warn' } }).trim();
run('migrate', '--db', db);
const acc = run('account', 'create', '--name', 'Soak', '--db', db);
const key = run('key', 'create', '--account', acc, '--scopes', 'read,write', '--db', db);
const srv = spawn(BIN, ['serve', '--db', db, '--port', '0', '--port-file', join(dir, 'port')],
  { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SWITCHBOARD_LOG: 'warn' } });
let stderr = ''; srv.stderr.on('data', (d) => { stderr += d; });
const exited = new Promise((r) => srv.on('exit', (code, sig) => r({ code, sig })));
while (!existsSync(join(dir, 'port')) || !readFileSync(join(dir, 'port'), 'utf8').trim()) await new Promise((r) => setTimeout(r, 50));
const port = Number(readFileSync(join(dir, 'port'), 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });
const sseAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function req(method, headers, body, useAgent = agent) {
  return new Promise((resolve, reject) => {
    const h = { authorization: `Bearer ${key}`, 'mcp-protocol-version': '2025-11-25', ...headers };
    if (body) { h['content-type'] = 'application/json'; h.accept = 'application/json, text/event-stream'; }
    const r = http.request({ host: '127.0.0.1', port, path: '/mcp', method, agent: useAgent, headers: h }, (res) => {
      const chunks = []; res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject); r.setTimeout(30000, () => r.destroy(new Error('timeout')));
    r.end(body ? JSON.stringify(body) : undefined);
  });
}
const sample = () => ({
  rss: Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.pid}/status`, 'utf8'))[1]),
  fds: readdirSync(`/proc/${srv.pid}/fd`).length,
});

const base = sample();
// open sessions and their GET streams
const sessions = [], streams = [];
for (let i = 0; i < N; i += CONC) {
  await Promise.all(Array.from({ length: Math.min(CONC, N - i) }, async () => {
    const r = await req('POST', {}, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'soak', version: '1' } } });
    if (r.status !== 200) throw new Error(`initialize: ${r.status}`);
    const sid = r.headers['mcp-session-id'];
    await req('POST', { 'mcp-session-id': sid }, { jsonrpc: '2.0', method: 'notifications/initialized' });
    sessions.push(sid);
    await new Promise((resolve, reject) => {
      const g = http.request({ host: '127.0.0.1', port, path: '/mcp', method: 'GET', agent: sseAgent,
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', 'mcp-session-id': sid } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`GET stream: ${res.statusCode}`));
        res.on('data', () => {}); res.on('error', () => {}); streams.push(g); resolve();
      });
      g.on('error', () => {}); g.end();
    });
  }));
}
const opened = sample();
console.log(`opened ${sessions.length} sessions with streams: rss ${opened.rss} KiB (+${opened.rss - base.rss}), fds ${opened.fds}`);

// continuous calls
let calls = 0, failures = 0, stop = false;
const tools = ['get_assistants', 'get_models', 'get_me', 'get_languages'];
const samples = [];
const sampler = setInterval(() => samples.push({ t: calls, ...sample() }), 1000);
const t0 = Date.now();
await Promise.all(Array.from({ length: CONC }, async (_, w) => {
  let i = 0;
  while (!stop) {
    if (Date.now() - t0 > SECS * 1000) { stop = true; break; }
    const sid = sessions[(w * 7919 + i++) % sessions.length];
    const r = await req('POST', { 'mcp-session-id': sid }, { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: tools[i % tools.length], arguments: {} } });
    calls++;
    if (r.status !== 200 || JSON.parse(r.body).result?.isError) failures++;
  }
}));
clearInterval(sampler);
const loaded = sample();
// end everything
for (const g of streams) g.destroy();
for (let i = 0; i < sessions.length; i += CONC)
  await Promise.all(sessions.slice(i, i + CONC).map((sid) => req('DELETE', { 'mcp-session-id': sid })));
agent.destroy();
await new Promise((r) => setTimeout(r, 1500));
const end = sample();

const warm = samples[Math.min(2, samples.length - 1)] || opened;
const rssGrowth = loaded.rss - warm.rss;
console.log(`calls ${calls} in ${SECS}s (${(calls / SECS).toFixed(0)}/s), failures ${failures}`);
console.log(`rss: base ${base.rss}, after warm-up ${warm.rss}, end of load ${loaded.rss} (growth ${rssGrowth} KiB), after close ${end.rss}`);
console.log(`fds: base ${base.fds}, open ${opened.fds}, after close ${end.fds}`);
srv.kill('SIGTERM');
const ex = await exited;
const checks = [
  ['no failed calls', failures === 0],
  [`descriptors back to base (+${MAX_FD})`, end.fds - base.fds <= MAX_FD],
  [`rss growth under load ≤ ${MAX_RSS} KiB`, rssGrowth <= MAX_RSS],
  ['clean exit without sanitizer report', ex.code === 0 && !/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr)],
];
let p = 0, f = 0;
for (const [name, ok] of checks) { console.log(`${ok ? 'ok  ' : 'FAIL'} soak: ${name}`); ok ? p++ : f++; }
if (f && stderr) console.log(stderr.slice(-4000));
rmSync(dir, { recursive: true, force: true });
console.log(`soak: ${p} passed, ${f} failed`);
process.exit(f ? 1 : 0);
