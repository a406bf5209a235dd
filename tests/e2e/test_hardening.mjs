// test_hardening.mjs - what one API key must not be able to do to the server
// or to other tenants: crash it with deep nesting (every transport and path),
// hold the HTTP threads with slow custom tools, fill the worker pool with
// confirmations nobody answers, or pile up sessions and client data.
import assert from 'node:assert/strict';
import http from 'node:http';
import { ACCEPT_BOTH, callOk, defineSuite, initBody, rawPost, run, serverEnv, BIN, sleep } from './lib.mjs';

const s = {};

/* `n` arrays nested around a number, as JSON text. */
function nested(n) {
	return `${'['.repeat(n)}1${']'.repeat(n)}`;
}

/* A customer's CRM whose /hold requests wait until release() (or 15 s). */
function startCrm() {
	const held = [];
	let seen = 0;
	const srv = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			seen++;
			const answer = () => {
				if (res.writableEnded)
					return;
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end('{"ok":true}');
			};
			if (req.url.startsWith('/hold')) {
				held.push(answer);
				setTimeout(answer, 15000).unref();
			} else {
				answer();
			}
		});
	});
	return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
		srv, held, seen: () => seen, port: srv.address().port,
		release() { while (held.length) held.shift()(); },
	})));
}

/* Resolves with the time a GET /health took, or rejects after ms. */
async function healthWithin(server, ms) {
	const t0 = Date.now();
	const r = await fetch(server.url('/health'), { signal: AbortSignal.timeout(ms) });
	assert.equal(r.status, 200);
	return { ms: Date.now() - t0, body: await r.json() };
}

async function health(server) {
	return (await healthWithin(server, 5000)).body;
}

/* Wait (bounded) until /health says pred. */
async function healthUntil(server, pred, ms, what) {
	const end = Date.now() + ms;
	let h;
	while (Date.now() < end) {
		h = await health(server);
		if (pred(h))
			return h;
		await sleep(100);
	}
	throw new Error(`${what}: /health still says ${JSON.stringify(h)}`);
}

/* Wait (bounded) until n requests wait at the CRM. */
async function heldAtCrm(n) {
	const end = Date.now() + 5000;
	while (s.crm.held.length < n && Date.now() < end)
		await sleep(20);
	assert.equal(s.crm.held.length, n, `${n} requests waiting at the CRM`);
}

function ctxHeaders(key, acc, asst, call) {
	return { 'X-API-Key': key, account_id: String(acc), persona_id: String(asst), call_id: String(call) };
}

function toolCall(id, name, args, meta) {
	return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call',
		params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });
}

/* A raw Streamable HTTP session whose client declares elicitation. */
async function elicitSession(server, key) {
	const auth = { Authorization: `Bearer ${key}` };
	const r = await rawPost(server, { headers: auth, body: JSON.stringify({
		jsonrpc: '2.0', id: 1, method: 'initialize',
		params: { protocolVersion: '2025-11-25', capabilities: { elicitation: {} }, clientInfo: { name: 'flood', version: '1' } },
	}) });
	assert.equal(r.status, 200, r.text);
	const sid = r.headers.get('mcp-session-id');
	const h = { ...auth, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' };
	await rawPost(server, { headers: h, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
	return h;
}

/* POST a spend call and read its SSE answer until the elicitation request
 * arrives; the connection stays open (the question is never answered).
 * Returns {status, abort} or {status, text} when refused. */
async function postUnanswered(server, headers, id, args) {
	const ac = new AbortController();
	const r = await fetch(server.url('/mcp'), {
		method: 'POST', signal: ac.signal,
		headers: { Accept: ACCEPT_BOTH, 'Content-Type': 'application/json', ...headers },
		body: toolCall(id, 'make_call', args),
	});
	if (r.status !== 200)
		return { status: r.status, text: await r.text() };
	const reader = r.body.getReader();
	let text = '';
	const end = Date.now() + 10000;
	while (!text.includes('elicitation/create') && Date.now() < end) {
		const { value, done } = await reader.read();
		if (done)
			break;
		text += Buffer.from(value).toString();
	}
	assert.match(text, /elicitation\/create/, `no elicitation on the stream: ${text}`);
	return { status: 200, abort: () => ac.abort() };
}

export default defineSuite({
	name: 'hardening',
	async setup(ctx) {
		s.ctx = ctx;
		s.crm = await startCrm();
		ctx.defer(() => new Promise((r) => { s.crm.release(); s.crm.srv.closeAllConnections?.(); s.crm.srv.close(() => r()); }));
		s.sb = await ctx.sandbox();
		s.accA = await s.sb.account('Flood Inc', { balance: 50 });
		s.accB = await s.sb.account('Quiet Ltd', { balance: 50 });
		s.keyA = await s.sb.key(s.accA, 'read,write,spend');
		s.keyB = await s.sb.key(s.accB, 'read,write,spend');
		s.keyAro = await s.sb.key(s.accA, 'read');
		s.keyAinc = await s.sb.key(s.accA, 'incall');
		s.keyBinc = await s.sb.key(s.accB, 'incall');
		s.phoneA = await s.sb.number(s.accA, '+4930555900');
		s.phoneB = await s.sb.number(s.accB, '+4930555901');
		// two HTTP threads, as on the reported machine; small quotas so the test stays short
		s.server = await s.sb.startServer(['--threads', '2'], {
			SWITCHBOARD_HTTP_ALLOW: '127.0.0.1/32',
			SWITCHBOARD_ACCOUNT_INFLIGHT_MAX: '6',
			SWITCHBOARD_SESSIONS_PER_KEY: '4',
			SWITCHBOARD_SSE_PING_S: '1',
		});
		const ctl = async (key) => (await ctx.httpClient(s.server, { Authorization: `Bearer ${key}` })).client;
		s.A = await ctl(s.keyA);
		s.B = await ctl(s.keyB);
		const crm = `http://127.0.0.1:${s.crm.port}`;
		for (const [who, acc, phone] of [['A', s.accA, s.phoneA], ['B', s.accB, s.phoneB]]) {
			const c = s[who];
			const tool = (await callOk(c, 'create_mid_call_tool', {
				name: 'slow_crm', description: 'A CRM that takes its time', endpoint: `${crm}/hold`,
				method: 'GET', timeout: 20, schema: [],
			})).data.id;
			s[`asst${who}`] = (await callOk(c, 'create_assistant', {
				assistant_name: `Agent ${who}`, calls_direction: 'make', phone_number_id: phone, tool_ids: [tool],
			})).data.id;
			s[`call${who}`] = Number((await s.sb.cli(['call', 'start', '--account', String(acc),
				'--assistant', String(s[`asst${who}`]), '--from', '+4917612345678'])).stdout.trim());
		}
	},
	tests: [
		{
			name: 'nesting deeper than 64 is refused (-32600) on every path before validation or audit; the server lives',
			async fn() {
				const deep = nested(1000);
				const auth = { Authorization: `Bearer ${s.keyA}` };
				const sid = (await rawPost(s.server, { headers: auth, body: initBody() })).headers.get('mcp-session-id');
				const h = { ...auth, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' };
				const bodies = [
					// with a progress token (a worker thread), to make_call, to a tool the key may use
					{ headers: h, body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_assistants","arguments":{"x":${deep}},"_meta":{"progressToken":"p"}}}` },
					{ headers: h, body: `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"make_call","arguments":{"x":${deep}}}}` },
					// a key without the scope
					{ headers: { ...h, Authorization: `Bearer ${s.keyAro}` }, body: `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_assistant","arguments":{"x":${deep}}}}` },
					// the in-call plane, stateless
					{ path: '/call/mcp', headers: ctxHeaders(s.keyAinc, s.accA, s.asstA, s.callA), body: `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"slow_crm","arguments":{"x":${deep}}}}` },
					// deep in the id or the method's params, or the whole message
					{ headers: h, body: `{"jsonrpc":"2.0","id":5,"method":"ping","params":{"_meta":${deep}}}` },
					{ headers: h, body: nested(5000) },
				];
				for (const b of bodies) {
					const r = await rawPost(s.server, b);
					assert.equal(r.status, 400, r.text);
					assert.equal(r.json.error.code, -32600, r.text);
					assert.match(r.json.error.message, /nested deeper than 64 levels/);
				}
				// the bound is the limit, not lower: 60 levels reach validation
				const ok = await rawPost(s.server, { headers: h,
					body: `{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"get_assistants","arguments":{"x":${nested(60)}}}}` });
				assert.equal(ok.status, 200, ok.text);
				assert.equal(ok.json.result.isError, true);
				assert.match(JSON.stringify(ok.json.result.structuredContent), /x/);
				assert.equal((await health(s.server)).status, 'ok');
			},
		},
		{
			name: 'nesting deeper than 64 over stdio is refused and the process goes on',
			async fn() {
				const deep = nested(1000);
				const input = [
					initBody(1),
					JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
					`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"make_call","arguments":{"x":${deep}},"_meta":{"progressToken":"p"}}}`,
					JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }),
				].join('\n') + '\n';
				const r = await run(BIN, ['stdio', '--db', s.sb.db], {
					env: serverEnv({ SWITCHBOARD_API_KEY: s.keyA }), input, timeout: 15000 });
				assert.equal(r.code, 0, r.stderr);
				const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
				const e = out.find((m) => m.error);
				assert.equal(e.error.code, -32600);
				assert.match(e.error.message, /nested deeper than 64 levels/);
				assert.deepEqual(out.find((m) => m.id === 3)?.result, {});
			},
		},
		{
			name: 'slow custom tools run off the HTTP threads: /health and another tenant answer at once; results arrive as JSON',
			timeout: 30000,
			async fn() {
				const before = s.crm.seen();
				const calls = [];
				for (let i = 0; i < 4; i++)
					calls.push(rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders(s.keyAinc, s.accA, s.asstA, s.callA),
						body: toolCall(10 + i, 'slow_crm', {}) }));
				await heldAtCrm(4);
				// both HTTP threads would be blocked without the fix: these would wait 15 s
				const hz = await healthWithin(s.server, 2000);
				assert.ok(hz.body.work_in_flight >= 4, JSON.stringify(hz.body));
				const t0 = Date.now();
				const other = await s.B.callTool({ name: 'get_assistants', arguments: {} }, undefined, { timeout: 2000 });
				assert.ok(!other.isError && Date.now() - t0 < 2000);
				s.crm.release();
				for (const r of await Promise.all(calls)) {
					assert.equal(r.status, 200, r.text);
					assert.equal(r.headers.get('content-type'), 'application/json');
					assert.notEqual(r.json.result.isError, true, r.text);
					assert.deepEqual(r.json.result.structuredContent.result, { ok: true }, r.text);
				}
				assert.equal(s.crm.seen() - before, 4);
				await healthUntil(s.server, (h) => h.work_in_flight === 0, 5000, 'work_in_flight back to 0');
			},
		},
		{
			name: 'one account at its in-flight cap gets 429; another account\'s calls still answer within 2 s',
			timeout: 30000,
			async fn() {
				const mine = [];
				for (let i = 0; i < 6; i++)
					mine.push(rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders(s.keyAinc, s.accA, s.asstA, s.callA),
						body: toolCall(20 + i, 'slow_crm', {}) }));
				await heldAtCrm(6);
				assert.equal((await health(s.server)).work_in_flight, 6);
				const over = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders(s.keyAinc, s.accA, s.asstA, s.callA),
					body: toolCall(30, 'slow_crm', {}) });
				assert.equal(over.status, 429, over.text);
				assert.equal(over.headers.get('retry-after'), '1');
				assert.match(over.json.error.message, /too many requests in flight for this account \(limit 6\)/);
				// account B: its own slow action is accepted, its control-plane calls answer at once
				const t0 = Date.now();
				const theirs = rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders(s.keyBinc, s.accB, s.asstB, s.callB),
					body: toolCall(31, 'slow_crm', {}) });
				const list = await s.B.callTool({ name: 'get_assistants', arguments: {} }, undefined, { timeout: 2000 });
				assert.ok(!list.isError);
				assert.ok(Date.now() - t0 < 2000, `account B waited ${Date.now() - t0} ms`);
				await heldAtCrm(7);
				s.crm.release();
				for (const r of await Promise.all([...mine, theirs]))
					assert.equal(r.status, 200, r.text);
				await healthUntil(s.server, (h) => h.work_in_flight === 0, 5000, 'work_in_flight back to 0');
			},
		},
		{
			name: 'confirmations nobody answers: capped per account, cancelled when the client goes, others unaffected',
			timeout: 40000,
			async fn() {
				const h = await elicitSession(s.server, s.keyA);
				const open = [];
				for (let i = 0; i < 6; i++) {
					const r = await postUnanswered(s.server, h, 40 + i, { assistant_id: s.asstA, phone_number: `+491510000010${i}` });
					assert.equal(r.status, 200);
					open.push(r);
				}
				const over = await postUnanswered(s.server, h, 50, { assistant_id: s.asstA, phone_number: '+4915100000200' });
				assert.equal(over.status, 429, over.text);
				// another account still gets its confirmation question at once
				const hb = await elicitSession(s.server, s.keyB);
				const b = await postUnanswered(s.server, hb, 51, { assistant_id: s.asstB, phone_number: '+4915100000201' });
				assert.equal(b.status, 200);
				// the clients go away: their requests are cancelled (noticed at the next ping, 1 s here)
				for (const o of [...open, b])
					o.abort();
				await healthUntil(s.server, (x) => x.work_in_flight === 0, 10000, 'abandoned confirmations cancelled');
				// nothing was dialled
				const calls = await callOk(s.A, 'list_calls', { per_page: 100 });
				assert.ok(!calls.data.some((c) => /^\+49151000001/.test(c.to_number ?? c.phone_number ?? '')), JSON.stringify(calls.data));
				// and the account can work again
				const again = await postUnanswered(s.server, h, 52, { assistant_id: s.asstA, phone_number: '+4915100000202' });
				assert.equal(again.status, 200);
				// ending the session cancels it at once
				const del = await fetch(s.server.url('/mcp'), { method: 'DELETE', headers: h });
				assert.equal(del.status, 200);
				await healthUntil(s.server, (x) => x.work_in_flight === 0, 5000, 'ended session\'s request cancelled');
				again.abort();
			},
		},
		{
			name: 'sessions per key are capped (least recently used idle one ended), all-busy refused with 429',
			timeout: 30000,
			async fn() {
				const key = await s.sb.key(s.accA, 'read,write,spend');
				const auth = { Authorization: `Bearer ${key}` };
				// a session whose client holds its stream open is in use: never pushed out
				const kept = (await rawPost(s.server, { headers: auth, body: initBody(100) })).headers.get('mcp-session-id');
				const ac = new AbortController();
				const stream = await fetch(s.server.url('/mcp'), { signal: ac.signal, headers: { ...auth,
					Accept: 'text/event-stream', 'Mcp-Session-Id': kept, 'MCP-Protocol-Version': '2025-11-25' } });
				assert.equal(stream.status, 200);
				const sids = [];
				for (let i = 0; i < 20; i++) {
					const r = await rawPost(s.server, { headers: auth, body: initBody(i + 1) });
					assert.equal(r.status, 200, r.text);
					sids.push(r.headers.get('mcp-session-id'));
				}
				const ping = (sid) => rawPost(s.server, { headers: { ...auth, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' },
					body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }) });
				assert.equal((await ping(sids[0])).status, 404, 'the oldest session was ended');
				assert.equal((await ping(sids[19])).status, 200);
				assert.equal((await ping(kept)).status, 200, 'the session with an open stream was ended');
				let alive = 0;
				for (const sid of sids)
					alive += (await ping(sid)).status === 200;
				assert.equal(alive, 3);
				ac.abort();
				await fetch(s.server.url('/mcp'), { method: 'DELETE', headers: { ...auth, 'Mcp-Session-Id': kept } });
				// 4 sessions each with a request in flight: a 5th cannot push one out
				const busy = [];
				for (let i = 0; i < 4; i++) {
					const h = { ...auth, ...(await elicitSession(s.server, key)) };
					busy.push({ h, r: await postUnanswered(s.server, h, 60 + i, { assistant_id: s.asstA, phone_number: `+491510000030${i}` }) });
				}
				const full = await rawPost(s.server, { headers: auth, body: initBody(99) });
				assert.equal(full.status, 429, full.text);
				assert.match(full.json.error.message, /too many sessions for this API key/);
				for (const b of busy) {
					b.r.abort();
					await fetch(s.server.url('/mcp'), { method: 'DELETE', headers: b.h });
				}
				await healthUntil(s.server, (x) => x.work_in_flight === 0, 10000, 'busy sessions released');
			},
		},
		{
			name: 'initialize with more than 8 KiB of clientInfo/capabilities is refused; /health counts client data',
			async fn() {
				const auth = { Authorization: `Bearer ${s.keyB}` };
				const before = await health(s.server);
				const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
					protocolVersion: '2025-11-25', capabilities: { experimental: { pad: 'x'.repeat(120000) } },
					clientInfo: { name: 'big', version: '1', description: 'y'.repeat(1000) } } });
				for (let i = 0; i < 5; i++) {
					const r = await rawPost(s.server, { headers: auth, body: big });
					assert.equal(r.status, 200, r.text);
					assert.equal(r.json.error.code, -32602);
					assert.match(r.json.error.message, /larger than 8192 bytes/);
				}
				const after = await health(s.server);
				assert.ok(after.sessions_client_bytes - before.sessions_client_bytes < 5 * 8192,
					`${before.sessions_client_bytes} -> ${after.sessions_client_bytes}`);
				assert.equal(after.limits.sessions_per_key, 4);
				assert.equal(after.limits.in_flight_per_account, 6);
				// a normal client's declaration is counted
				const r = await rawPost(s.server, { headers: auth, body: initBody(2) });
				assert.equal(r.status, 200);
				assert.ok((await health(s.server)).sessions_client_bytes > after.sessions_client_bytes);
			},
		},
		{
			name: 'after all that (clients gone mid-answer), every server log line came through the logger',
			async fn() {
				const stray = s.server.log().split('\n').filter((l) => l &&
					!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (debug|info|warn|error) /.test(l) &&
					!/^Switchboard \S+ serving on /.test(l));
				assert.deepEqual(stray, [], 'lines written around the logger (libmicrohttpd?)');
			},
		},
	],
});
