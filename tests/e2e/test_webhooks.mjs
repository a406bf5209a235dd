// test_webhooks.mjs - post-call webhooks end to end: chats answered by the
// scripted model server (model_server.mjs) end with a hang-up, the server
// POSTs the payload to a local receiver. Covers the payload shape, the HMAC
// signature (recomputed here with the secret from get_webhook_secret and the
// CLI), the recording_url rule (a live call ended through /call/mcp and
// picked up by the sweeper), send_webhook_only_on_completed, a 500 then a
// 200 (retried), a 400 (not retried), a receiver that is down and comes
// back, a private address refused by the SSRF guard, webhook_response on
// get_call, and a pending delivery sent after a server restart.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callOk, defineSuite, sleep } from './lib.mjs';
import { startModelServer } from './model_server.mjs';

const s = {};

function startReceiver(port = 0) {
	const rx = { hits: [] };
	rx.srv = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString();
			const path = new URL(req.url, 'http://x').pathname;
			rx.hits.push({ path, url: req.url, method: req.method, headers: req.headers, body, at: Date.now() });
			if (path === '/flaky' && rx.hits.filter((h) => h.path === '/flaky').length === 1) {
				res.writeHead(500, { 'Content-Type': 'text/plain' });
				res.end('try again later');
				return;
			}
			if (path === '/bad') {
				res.writeHead(400, { 'Content-Type': 'application/json' });
				res.end('{"error":"unknown assistant"}');
				return;
			}
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ received: true, path }));
		});
	});
	return new Promise((r) => rx.srv.listen(port, '127.0.0.1', () => { rx.port = rx.srv.address().port; r(rx); }));
}

function stopReceiver(rx) {
	return new Promise((r) => { rx.srv.closeAllConnections?.(); rx.srv.close(() => r()); });
}

async function freePort() {
	const srv = http.createServer();
	await new Promise((r) => srv.listen(0, '127.0.0.1', r));
	const port = srv.address().port;
	await new Promise((r) => srv.close(r));
	return port;
}

async function untilTrue(fn, ms = 10000, what = 'condition') {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`${what} not met in time`);
		await sleep(50);
	}
}

const hitsOn = (path) => s.rx.hits.filter((h) => h.path === path);

function verifySignature(hit, secret) {
	const t = hit.headers['x-switchboard-timestamp'];
	const m = /^t=(\d+),v2=([0-9a-f]{64})$/.exec(hit.headers['x-switchboard-signature'] ?? '');
	assert.ok(m, `bad signature header ${hit.headers['x-switchboard-signature']}`);
	assert.equal(m[1], t);
	assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 120, 'stale timestamp');
	// t, method, the URL as received (scheme + Host + target) and the body
	const msg = `${t}\n${hit.method}\nhttp://${hit.headers.host}${hit.url}\n${hit.body}`;
	const want = crypto.createHmac('sha256', secret).update(msg).digest('hex');
	assert.equal(m[2], want, 'the HMAC does not verify');
}

const ENV = () => ({
	SWITCHBOARD_LLM_URL: s.ms.url,
	SWITCHBOARD_LLM_MODEL: 'test-model',
	SWITCHBOARD_LLM_TIMEOUT_MS: '2000',
	SWITCHBOARD_LLM_TRIES: '1',
	SWITCHBOARD_HTTP_ALLOW: '127.0.0.1/32',
	SWITCHBOARD_WEBHOOK_BACKOFF_MS: '200',
	SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '2000',
	SWITCHBOARD_WEBHOOK_SWEEP_S: '1',
	SWITCHBOARD_PUBLIC_URL: 'https://sb.example.com/',
});

async function client(server, key) {
	const transport = new StreamableHTTPClientTransport(server.url('/mcp'), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
	const c = new Client({ name: 'webhook-e2e', version: '1.0.0' });
	await c.connect(transport);
	return c;
}

async function assistant(c, name, url, extra = {}) {
	return (await callOk(c, 'create_assistant', {
		assistant_name: name, calls_direction: 'receive', who_speaks_first: 'Customer',
		system_prompt: 'Help the caller.', is_webhook_active: true, webhook_url: url, ...extra,
	})).data.id;
}

/* A test chat that the assistant ends with hangup_call; its call id. */
async function endedChat(c, asst, { message = 'I need help', variables } = {}) {
	const conv = await callOk(c, 'create_conversation', { assistant_id: asst, ...(variables ? { variables } : {}) });
	s.ms.script({ content: 'Bye!', tool_calls: [{ name: 'hangup_call', arguments: {} }] });
	const r = await callOk(c, 'send_message', { uuid: conv.uuid, message });
	assert.equal(r.status, 'ended');
	return conv.call_id;
}

async function deliveries(c, callId) {
	return (await callOk(c, 'list_webhook_deliveries', { call_id: callId })).data;
}

async function untilState(c, callId, state, ms = 10000) {
	return untilTrue(async () => {
		const d = await deliveries(c, callId);
		return d.length && d[0].state === state ? d[0] : null;
	}, ms, `delivery of call ${callId} ${state}`);
}

export default defineSuite({
	name: 'webhooks',
	async setup(ctx) {
		s.ms = await startModelServer();
		ctx.defer(() => s.ms.close());
		s.rx = await startReceiver();
		ctx.defer(() => stopReceiver(s.rx));
		s.sb = await ctx.sandbox();
		s.acc = await s.sb.account('Hooks Inc', { balance: 5 });
		s.server = await s.sb.startServer([], ENV());
		s.key = await s.sb.key(s.acc, 'read,write,admin');
		s.A = (await ctx.httpClient(s.server, { Authorization: `Bearer ${s.key}` })).client;
		s.base = `http://127.0.0.1:${s.rx.port}`;
	},
	tests: [
		{
			name: 'payload shape, HMAC signature with the account secret, webhook_response on the call',
			async fn() {
				const asst = await assistant(s.A, 'Hooked', `${s.base}/ok`, {
					post_call_evaluation: true,
					post_call_schema: [{ name: 'caller_name', type: 'string', description: 'Who called' }],
				});
				s.ms.onExtract = () => ({ content: JSON.stringify({ summary: 'Erika asked for help.', caller_name: 'Erika' }) });
				const callId = await endedChat(s.A, asst, { message: 'I am Erika, I need help', variables: { customer_name: 'Erika' } });
				const d = await untilState(s.A, callId, 'delivered');
				s.ms.onExtract = null;
				assert.equal(d.attempts, 1);
				assert.equal(d.url, `${s.base}/ok`);
				assert.equal(d.history.length, 1);
				assert.equal(d.history[0].status, 200);
				assert.ok(d.delivered_at);
				const hits = hitsOn('/ok');
				assert.equal(hits.length, 1);
				const hit = hits[0];
				assert.equal(hit.method, 'POST');
				assert.match(hit.headers['content-type'], /application\/json/);
				assert.equal(hit.headers['x-switchboard-event'], 'call.ended');
				assert.equal(hit.headers['x-switchboard-delivery'], String(d.id));
				const p = JSON.parse(hit.body);
				for (const k of ['id', 'customer_phone', 'assistant_phone', 'duration', 'status', 'extracted_variables',
					'input_variables', 'transcript', 'formatted_transcript', 'created_at', 'finished_at', 'lead', 'campaign'])
					assert.ok(k in p, `payload lacks ${k}`);
				assert.equal(p.id, callId);
				assert.equal(p.status, 'ended_by_assistant');
				assert.deepEqual(p.extracted_variables, { caller_name: 'Erika' });
				assert.deepEqual(p.input_variables, { customer_name: 'Erika' });
				assert.equal(p.formatted_transcript, 'Customer: I am Erika, I need help\nAssistant: Bye!');
				assert.deepEqual(p.transcript.map((t) => [t.sender, t.text]), [['human', 'I am Erika, I need help'], ['bot', 'Bye!']]);
				assert.ok(!('recording_url' in p), 'recording_url sent without include_recording_in_webhook');
				assert.equal(p.lead, null);
				assert.equal(p.campaign, null);
				assert.equal(p.summary, 'Erika asked for help.');
				assert.ok(p.finished_at);
				// the secret: the tool (admin scope) and the operator CLI agree, and it signs the body
				const sec = await callOk(s.A, 'get_webhook_secret', {});
				assert.match(sec.secret, /^whsec_[0-9a-f]{64}$/);
				assert.equal(sec.signature_header, 'X-Switchboard-Signature');
				const cli = (await s.sb.cli(['webhook', 'secret', '--account', String(s.acc)])).stdout.trim();
				assert.equal(cli, sec.secret);
				verifySignature(hit, sec.secret);
				s.secret = sec.secret;
				// the answer is kept on the call
				const call = await callOk(s.A, 'get_call', { call_id: callId });
				assert.equal(call.webhook_response.status, 200);
				assert.deepEqual(call.webhook_response.body, { received: true, path: '/ok' });
				assert.equal(call.webhook_response.delivered, true);
			},
		},
		{
			name: 'send_webhook_only_on_completed: a failed chat sends nothing, an ended one does',
			async fn() {
				const strict = await assistant(s.A, 'Strict opener', `${s.base}/strict`, {
					send_webhook_only_on_completed: true, who_speaks_first: 'AI assistant',
				});
				// no scripted turn: the model server answers 500, the chat fails at its opening
				const r = await s.A.callTool({ name: 'create_conversation', arguments: { assistant_id: strict } });
				assert.equal(r.isError, true);
				const failed = (await callOk(s.A, 'list_calls', { assistant_id: strict })).data;
				assert.equal(failed.length, 1);
				assert.equal(failed[0].status, 'failed');
				const ok = await assistant(s.A, 'Strict', `${s.base}/strict`, { send_webhook_only_on_completed: true });
				const callId = await endedChat(s.A, ok);
				await untilState(s.A, callId, 'delivered');
				await sleep(500);
				assert.deepEqual(await deliveries(s.A, failed[0].id), []);
				const hits = hitsOn('/strict');
				assert.equal(hits.length, 1);
				assert.equal(JSON.parse(hits[0].body).id, callId);
			},
		},
		{
			name: 'a 500 is retried with backoff, then delivered on the 200',
			async fn() {
				const asst = await assistant(s.A, 'Flaky', `${s.base}/flaky`);
				const callId = await endedChat(s.A, asst);
				const d = await untilState(s.A, callId, 'delivered');
				assert.equal(d.attempts, 2);
				assert.deepEqual(d.history.map((h) => h.status), [500, 200]);
				const hits = hitsOn('/flaky');
				assert.equal(hits.length, 2);
				assert.ok(hits[1].at - hits[0].at >= 150, 'no backoff between attempts');
				assert.equal(hits[0].body, hits[1].body, 'a retry must send the same payload');
				verifySignature(hits[1], s.secret);
			},
		},
		{
			name: 'a 400 fails at once and is not retried',
			async fn() {
				const asst = await assistant(s.A, 'Refused', `${s.base}/bad`);
				const callId = await endedChat(s.A, asst);
				const d = await untilState(s.A, callId, 'failed');
				assert.equal(d.attempts, 1);
				assert.equal(d.last_status, 400);
				assert.match(d.last_error, /400/);
				await sleep(700);
				assert.equal(hitsOn('/bad').length, 1);
				assert.equal((await deliveries(s.A, callId))[0].attempts, 1);
				const call = await callOk(s.A, 'get_call', { call_id: callId });
				assert.equal(call.webhook_response.status, 400);
				assert.deepEqual(call.webhook_response.body, { error: 'unknown assistant' });
			},
		},
		{
			name: 'a receiver that is down gets the webhook once it is back',
			async fn() {
				const port = await freePort();
				const asst = await assistant(s.A, 'Patient', `http://127.0.0.1:${port}/later`);
				const callId = await endedChat(s.A, asst);
				const pend = await untilTrue(async () => {
					const d = (await deliveries(s.A, callId))[0];
					return d && d.attempts >= 2 ? d : null;
				}, 10000, 'two failed attempts');
				assert.equal(pend.state, 'pending');
				assert.match(pend.history[0].error, /connect/);
				assert.ok(pend.next_attempt_at);
				const rx2 = await startReceiver(port);
				try {
					const d = await untilState(s.A, callId, 'delivered');
					assert.ok(d.attempts >= 3);
					assert.equal(rx2.hits.length, 1);
					verifySignature(rx2.hits[0], s.secret);
				} finally {
					await stopReceiver(rx2);
				}
			},
		},
		{
			name: 'a webhook URL on a private address is refused by the SSRF guard',
			async fn() {
				const asst = await assistant(s.A, 'Sneaky', 'http://10.255.255.1/hook');
				const callId = await endedChat(s.A, asst);
				const d = await untilState(s.A, callId, 'failed');
				assert.equal(d.attempts, 1);
				assert.match(d.last_error, /blocked/);
				assert.equal(d.last_status, null);
				const call = await callOk(s.A, 'get_call', { call_id: callId });
				assert.equal(call.webhook_response.status, null);
				assert.match(call.webhook_response.error, /not allowed/);
			},
		},
		{
			name: 'recording_url: absolute with SWITCHBOARD_PUBLIC_URL for a call ended outside the brain (sweeper)',
			async fn() {
				const asst = await assistant(s.A, 'Recorder', `${s.base}/rec`, { include_recording_in_webhook: true });
				const callId = Number((await s.sb.cli(['call', 'start', '--account', String(s.acc), '--assistant', String(asst),
					'--from', '+4930555000', '--to', '+4917612345678'])).stdout.trim());
				execFileSync('sqlite3', [s.sb.db, `UPDATE calls SET recording_path = '/recordings/${callId}.wav' WHERE id = ${callId}`]);
				const kInc = await s.sb.key(s.acc, 'incall');
				const transport = new StreamableHTTPClientTransport(s.server.url('/call/mcp'), { requestInit: { headers: {
					'X-API-Key': kInc, account_id: String(s.acc), persona_id: String(asst), call_id: String(callId),
					caller_id_number: '+4917612345678' } } });
				const ic = new Client({ name: 'voice-engine', version: '1.0.0' });
				await ic.connect(transport);
				try {
					const r = await ic.callTool({ name: 'hangup_call', arguments: {} });
					assert.ok(!r.isError, JSON.stringify(r.structuredContent));
				} finally {
					await ic.close();
				}
				await untilState(s.A, callId, 'delivered', 15000);
				const p = JSON.parse(hitsOn('/rec')[0].body);
				assert.equal(p.recording_url, `https://sb.example.com/recordings/${callId}.wav`);
				assert.equal(p.customer_phone, '+4917612345678');
				assert.equal(p.assistant_phone, '+4930555000');
				assert.equal(p.status, 'ended_by_assistant');
			},
			timeout: 25000,
		},
		{
			name: 'a pending delivery survives a restart and is delivered after it',
			async fn() {
				const sb = s.sb;   // same database, one server at a time
				const port = await freePort();
				const asst = await assistant(s.A, 'Restart', `http://127.0.0.1:${port}/after-restart`);
				const callId = await endedChat(s.A, asst);
				await untilTrue(async () => (await deliveries(s.A, callId))[0]?.attempts >= 1, 10000, 'first attempt');
				// stop the server (clients first), bring the receiver up, start a new server
				await s.A.close();
				const old = s.server;
				assert.deepEqual(await old.stop(), []);
				old.stop = async () => [];   // checked here; the runner stops the new one
				const before = (await sb.cli(['webhook', 'secret', '--account', String(s.acc)])).stdout.trim();
				assert.equal(before, s.secret);
				const rx2 = await startReceiver(port);
				try {
					s.server = await sb.startServer([], ENV());
					const c = await client(s.server, s.key);
					try {
						const d = await untilState(c, callId, 'delivered', 15000);
						assert.ok(d.attempts >= 2);
						assert.equal(rx2.hits.length, 1);
						assert.equal(JSON.parse(rx2.hits[0].body).id, callId);
						verifySignature(rx2.hits[0], s.secret);
					} finally {
						await c.close();
					}
				} finally {
					await stopReceiver(rx2);
				}
			},
			timeout: 30000,
		},
	],
});
