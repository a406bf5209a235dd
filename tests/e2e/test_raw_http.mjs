// test_raw_http.mjs - HTTP checks that need more than one request or exact
// byte counts (single-request status checks live in tests/protocol/*.test).
import assert from 'node:assert/strict';
import { ACCEPT_BOTH, defineSuite, initBody, rawPost, rawSession } from './lib.mjs';

const s = {};
const LIMIT = 1 << 20;

/* A ping request of exactly n bytes (padding inside params). */
function pingOfSize(n) {
	const head = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_pad":"';
	const tail = '"}}';
	return head + 'x'.repeat(n - head.length - tail.length) + tail;
}

export default defineSuite({
	name: 'raw-http',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.account = await s.sb.account('Raw');
		s.key = await s.sb.key(s.account, 'read,write');
		s.server = await s.sb.startServer();
		s.auth = { Authorization: `Bearer ${s.key}` };
		s.sid = await rawSession(s.server, s.key);
		s.h = { ...s.auth, 'Mcp-Session-Id': s.sid, 'MCP-Protocol-Version': '2025-11-25' };
	},
	tests: [
		{
			name: 'a body of exactly 1 MiB is accepted, one byte more is 413',
			async fn() {
				const ok = await rawPost(s.server, { headers: s.h, body: pingOfSize(LIMIT) });
				assert.equal(ok.status, 200, ok.text.slice(0, 200));
				assert.deepEqual(ok.json.result, {});
				const big = await rawPost(s.server, { headers: s.h, body: pingOfSize(LIMIT + 1) });
				assert.equal(big.status, 413);
			},
		},
		{
			name: 'an over-limit chunked body (no Content-Length) is 413',
			async fn() {
				const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
				let sent = 0;
				const body = new ReadableStream({
					pull(c) {
						if (sent === 0)
							c.enqueue(new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_pad":"'));
						if (sent >= 20) {
							c.enqueue(new TextEncoder().encode('"}}'));
							c.close();
							return;
						}
						c.enqueue(chunk);
						sent++;
					},
				});
				const r = await fetch(s.server.url('/mcp'), {
					method: 'POST', body, duplex: 'half',
					headers: { ...s.h, Accept: ACCEPT_BOTH, 'Content-Type': 'application/json' },
					signal: AbortSignal.timeout(10000),
				});
				assert.equal(r.status, 413, await r.text());
			},
		},
		{
			name: 'initialize echoes a supported older version and answers an unknown one with the latest',
			async fn() {
				for (const [asked, want] of [['2025-06-18', '2025-06-18'], ['2025-03-26', '2025-03-26'],
					['2024-11-05', '2024-11-05'], ['1999-01-01', '2025-11-25']]) {
					const r = await rawPost(s.server, { headers: s.auth, body: initBody(1, asked) });
					assert.equal(r.status, 200);
					assert.equal(r.json.result.protocolVersion, want, `asked ${asked}`);
					assert.ok(r.headers.get('mcp-session-id'));
				}
			},
		},
		{
			name: 'session ids are distinct and unguessable-looking',
			async fn() {
				const ids = new Set();
				for (let i = 0; i < 5; i++)
					ids.add(await rawSession(s.server, s.key));
				assert.equal(ids.size, 5);
				for (const id of ids)
					assert.match(id, /^[\x21-\x7e]{16,}$/);
			},
		},
		{
			name: 'an SSE answer when the client lists text/event-stream first',
			async fn() {
				const r = await rawPost(s.server, {
					headers: { ...s.h, Accept: 'text/event-stream, application/json' },
					body: JSON.stringify({ jsonrpc: '2.0', id: 42, method: 'ping' }),
				});
				assert.equal(r.status, 200);
				assert.match(r.headers.get('content-type'), /^text\/event-stream/);
				const data = r.text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter(Boolean);
				const msg = data.map((d) => { try { return JSON.parse(d); } catch { return null; } }).find((m) => m?.id === 42);
				assert.deepEqual(msg?.result, {}, r.text);
			},
		},
		{
			name: 'GET /mcp opens the session\'s standalone SSE stream',
			async fn() {
				const ac = new AbortController();
				const r = await fetch(s.server.url('/mcp'), {
					headers: { ...s.h, Accept: 'text/event-stream' }, signal: ac.signal,
				});
				try {
					assert.equal(r.status, 200);
					assert.match(r.headers.get('content-type'), /^text\/event-stream/);
				} finally {
					ac.abort();
				}
			},
		},
		{
			name: '/health counts open sessions and reports uptime',
			async fn() {
				const r = await fetch(s.server.url('/health'), { signal: AbortSignal.timeout(5000) });
				const j = await r.json();
				assert.equal(r.status, 200);
				assert.equal(j.status, 'ok');
				assert.ok(j.sessions >= 1, JSON.stringify(j));
				assert.ok(Number.isInteger(j.uptime_s) && j.uptime_s >= 0);
			},
		},
		{
			name: '20 concurrent tools/call requests on one session all answer',
			async fn() {
				const reqs = Array.from({ length: 20 }, (_, i) => rawPost(s.server, {
					headers: s.h,
					body: JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'tools/call', params: { name: 'get_models', arguments: {} } }),
				}));
				const res = await Promise.all(reqs);
				res.forEach((r, i) => {
					assert.equal(r.status, 200);
					assert.equal(r.json.id, 100 + i);
					assert.ok(r.json.result.structuredContent.data.length >= 1);
				});
			},
		},
	],
});
