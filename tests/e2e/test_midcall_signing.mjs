// test_midcall_signing.mjs - requests of mid-call tools are signed per
// account: a local CRM (node) verifies X-Switchboard-Signature with node's
// crypto and the secret each account reads through get_mid_call_tool_secret
// (not the webhook secret); two accounts' signatures of the same request in
// the same second differ; a redirect to another origin carries neither the
// signature nor the tool's Authorization header; the retired
// SWITCHBOARD_HMAC_SECRET setting is refused at start-up.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callOk, defineSuite } from './lib.mjs';

const s = {};

/* The customer's CRM: records every request with its raw body. */
function startCrm() {
	const seen = [];
	const srv = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const rec = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() };
			seen.push(rec);
			if (req.url.startsWith('/away')) {   // another origin: localhost is not 127.0.0.1
				res.writeHead(302, { Location: `http://localhost:${srv.address().port}/landed` });
				res.end();
				return;
			}
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	srv.keepAliveTimeout = 1000;
	return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ srv, seen, port: srv.address().port })));
}

/* What a receiver does: rebuild "<t>\n<METHOD>\n<URL>\n<body>" from the
 * request it got and compare. Returns the v2 hex. */
function verify(rec, secret) {
	const t = rec.headers['x-switchboard-timestamp'];
	const m = /^t=(\d+),v2=([0-9a-f]{64})$/.exec(rec.headers['x-switchboard-signature'] ?? '');
	assert.ok(m, `no v2 signature: ${rec.headers['x-switchboard-signature']}`);
	assert.equal(m[1], t);
	assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 120, 'stale timestamp');
	const msg = `${t}\n${rec.method}\nhttp://${rec.headers.host}${rec.url}\n${rec.body}`;
	const want = crypto.createHmac('sha256', secret).update(msg).digest();
	assert.ok(crypto.timingSafeEqual(Buffer.from(m[2], 'hex'), want), `signature does not verify for ${rec.method} ${rec.url}`);
	return m[2];
}

function verifies(rec, secret) {
	try { verify(rec, secret); return true; } catch { return false; }
}

async function incallClient(acc, asst, call, key) {
	const headers = { 'X-API-Key': key, account_id: String(acc), persona_id: String(asst), call_id: String(call), caller_id_number: '+4917612345678' };
	const transport = new StreamableHTTPClientTransport(s.server.url('/call/mcp'), { requestInit: { headers } });
	const client = new Client({ name: 'voice-engine', version: '1.0.0' });
	await client.connect(transport);
	s.ctx.defer(() => client.close());
	return client;
}

/* An account with a control client, the same tools, an assistant, a live
 * call and an in-call client on it. */
async function tenant(name) {
	const t = {};
	t.acc = await s.sb.account(name);
	t.ctl = (await s.ctx.httpClient(s.server, { Authorization: `Bearer ${await s.sb.key(t.acc, 'read,write,admin')}` })).client;
	const crm = `http://127.0.0.1:${s.crm.port}`;
	const ids = [];
	for (const def of [
		{ name: 'crm_lookup', endpoint: `${crm}/customers/{customer_id}?src=sb`, method: 'GET',
			schema: [{ name: 'customer_id', type: 'string', required: true }, { name: 'note', type: 'string' }] },
		{ name: 'book_visit', endpoint: `${crm}/visits`, method: 'POST',
			schema: [{ name: 'day', type: 'string', required: true }] },
		{ name: 'moved_crm', endpoint: `${crm}/away`, method: 'GET', schema: [] },
	])
		ids.push((await callOk(t.ctl, 'create_mid_call_tool', { description: 'd', timeout: 5,
			headers: [{ name: 'Authorization', value: `Bearer token-of-${name}` }], ...def })).data.id);
	t.asst = (await callOk(t.ctl, 'create_assistant', { assistant_name: 'Desk', calls_direction: 'receive', tool_ids: ids })).data.id;
	t.call = Number((await s.sb.cli(['call', 'start', '--account', String(t.acc), '--assistant', String(t.asst),
		'--from', '+4917612345678', '--to', '+4930555000'])).stdout.trim());
	t.ic = await incallClient(t.acc, t.asst, t.call, await s.sb.key(t.acc, 'incall'));
	t.secret = (await callOk(t.ctl, 'get_mid_call_tool_secret', {})).secret;
	return t;
}

/* Run a tool and return the request(s) the CRM got for it. */
async function run(t, tool, args) {
	const before = s.crm.seen.length;
	const r = await callOk(t.ic, tool, args, 'incall');
	return { r, recs: s.crm.seen.slice(before) };
}

export default defineSuite({
	name: 'midcall-signing',
	async setup(ctx) {
		s.ctx = ctx;
		s.crm = await startCrm();
		ctx.defer(() => new Promise((r) => { s.crm.srv.closeAllConnections?.(); s.crm.srv.close(() => r()); }));
		s.sb = await ctx.sandbox();
		s.server = await s.sb.startServer([], { SWITCHBOARD_HTTP_ALLOW: '127.0.0.1/32' });
		s.A = await tenant('Alpha GmbH');
		s.B = await tenant('Beta Ltd');
	},
	tests: [
		{
			name: 'get_mid_call_tool_secret: one secret per account, stable, not the webhook secret',
			async fn() {
				const sec = await callOk(s.A.ctl, 'get_mid_call_tool_secret', {});
				assert.match(sec.secret, /^mtsec_[0-9a-f]{64}$/);
				assert.equal(sec.secret, s.A.secret, 'the secret changed between reads');
				assert.equal(sec.signature_header, 'X-Switchboard-Signature');
				assert.match(sec.scheme, /v2=/);
				assert.notEqual(s.B.secret, s.A.secret);
				const wh = await callOk(s.A.ctl, 'get_webhook_secret', {});
				assert.notEqual(wh.secret, s.A.secret);
				s.webhookSecretA = wh.secret;
			},
		},
		{
			name: 'GET with a query: signed over method, full URL and empty body with the account\'s secret',
			async fn() {
				const { recs } = await run(s.A, 'crm_lookup', { customer_id: 'A/B 7', note: 'x&y' });
				assert.equal(recs.length, 1);
				const rec = recs[0];
				assert.equal(rec.url, '/customers/A%2FB%207?src=sb&note=x%26y');
				assert.equal(rec.headers.authorization, 'Bearer token-of-Alpha GmbH');
				verify(rec, s.A.secret);
				assert.equal(verifies(rec, s.B.secret), false, 'another account\'s secret verifies');
				assert.equal(verifies(rec, s.webhookSecretA), false, 'the webhook secret verifies');
				// the URL is covered: the same signature on another query does not verify
				assert.equal(verifies({ ...rec, url: '/customers/A%2FB%207?src=sb&note=other' }, s.A.secret), false);
			},
		},
		{
			name: 'POST: the method and the JSON body are covered',
			async fn() {
				const { recs } = await run(s.A, 'book_visit', { day: 'monday' });
				const rec = recs[0];
				assert.equal(rec.body, '{"day":"monday"}');
				verify(rec, s.A.secret);
				assert.equal(verifies({ ...rec, body: '{"day":"friday"}' }, s.A.secret), false);
				assert.equal(verifies({ ...rec, method: 'PUT' }, s.A.secret), false);
			},
		},
		{
			name: 'two accounts, the same request in the same second: different signatures, each verifies with its own secret only',
			async fn() {
				let a, b;
				for (let i = 0; i < 5; i++) {
					const runs = await Promise.all([
						run(s.A, 'crm_lookup', { customer_id: 'same', note: `n${i}` }),
						run(s.B, 'crm_lookup', { customer_id: 'same', note: `n${i}` })]);
					const all = runs.flatMap((x) => x.recs);   // they ran at once: either may hold both
					a = all.find((r) => r.headers.authorization.includes('Alpha'));
					b = all.find((r) => r.headers.authorization.includes('Beta'));
					if (a.headers['x-switchboard-timestamp'] === b.headers['x-switchboard-timestamp'])
						break;
				}
				assert.equal(a.headers['x-switchboard-timestamp'], b.headers['x-switchboard-timestamp'], 'never the same second');
				assert.equal(a.url, b.url);
				assert.notEqual(verify(a, s.A.secret), verify(b, s.B.secret));
				assert.equal(verifies(a, s.B.secret), false);
				assert.equal(verifies(b, s.A.secret), false);
			},
		},
		{
			name: 'a redirect to another origin carries neither the signature nor the Authorization header',
			async fn() {
				const { recs } = await run(s.A, 'moved_crm', {});
				assert.deepEqual(recs.map((r) => r.url), ['/away', '/landed']);
				verify(recs[0], s.A.secret);
				assert.equal(recs[0].headers.authorization, 'Bearer token-of-Alpha GmbH');
				assert.match(recs[1].headers.host, /^localhost:/);
				assert.equal(recs[1].headers['x-switchboard-signature'], undefined, 'signature sent to another origin');
				assert.equal(recs[1].headers['x-switchboard-timestamp'], undefined);
				assert.equal(recs[1].headers.authorization, undefined, 'Authorization sent to another origin');
			},
		},
		{
			name: 'SWITCHBOARD_HMAC_SECRET (retired) is refused at start-up with a clear message (serve and stdio)',
			async fn() {
				const env = { SWITCHBOARD_HMAC_SECRET: 'shared-by-everyone' };
				for (const args of [['serve', '--bind', '127.0.0.1', '--port', '0'], ['stdio']]) {
					const r = await s.sb.cli(args, { allowFail: true, env });
					assert.equal(r.code, 1, `${args[0]} exited ${r.code}`);
					assert.match(r.stderr, /SWITCHBOARD_HMAC_SECRET is no longer used.*get_mid_call_tool_secret/);
				}
			},
		},
	],
});
