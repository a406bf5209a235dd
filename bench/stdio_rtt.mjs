// Sequential tools/call round trips over stdio: spawn the command, initialize,
// then N calls one after another; print calls per second.
//   node stdio_rtt.mjs N TOOL -- command args...
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const n = Number(process.argv[2]), tool = process.argv[3];
const cmd = process.argv.slice(process.argv.indexOf('--') + 1);
const child = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout });
const waiting = new Map();
lines.on('line', (l) => { const m = JSON.parse(l); const w = waiting.get(m.id); if (w) { waiting.delete(m.id); w(m); } });
const send = (m) => new Promise((res) => { waiting.set(m.id, res); child.stdin.write(JSON.stringify(m) + '\n'); });

await send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
for (let i = 1; i <= 200; i++) await send({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: tool, arguments: {} } });
const t0 = process.hrtime.bigint();
for (let i = 1; i <= n; i++) {
  const r = await send({ jsonrpc: '2.0', id: 1000 + i, method: 'tools/call', params: { name: tool, arguments: {} } });
  if (r.error || r.result?.isError) { console.error('call failed', JSON.stringify(r)); process.exit(1); }
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ calls: n, seconds: s, per_second: n / s, mean_us: (s / n) * 1e6 }));
child.stdin.end();
child.kill();
