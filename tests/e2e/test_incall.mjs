// test_incall.mjs - the in-call execution plane at /call/mcp: context headers
// and auth, per-persona tool lists, every global tool, custom API-request
// tools against a local CRM test server (methods, placeholders, failures,
// injection, a redirect to a private address), idempotent repeats, and the
// decision log as the control plane shows it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { callOk, callRaw, defineSuite, expectInvalid, rawPost, sleep } from './lib.mjs';

const s = {};

/* The customer's CRM: records every request; some paths misbehave. */
function startCrm() {
	const seen = [];
	const srv = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString();
			const rec = { method: req.method, url: req.url, headers: req.headers, body };
			seen.push(rec);
			const u = new URL(req.url, 'http://x');
			if (u.pathname.startsWith('/slow')) {
				setTimeout(() => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"late":true}'); }, 3000);
				return;
			}
			if (u.pathname.startsWith('/never'))
				return;   // accepts, never answers
			if (u.pathname.startsWith('/boom')) {
				res.writeHead(500, { 'Content-Type': 'text/plain' });
				res.end('Traceback (most recent call last): secret internals here');
				return;
			}
			if (u.pathname.startsWith('/to-private')) {
				res.writeHead(302, { Location: 'http://10.255.255.1/steal' });
				res.end();
				return;
			}
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ ok: true, customer: { name: 'Erika Muster', tier: 'gold' },
				echo: { method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams),
					body: body ? JSON.parse(body) : null, auth: req.headers.authorization ?? null } }));
		});
	});
	srv.keepAliveTimeout = 1000;
	return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ srv, seen, port: srv.address().port })));
}

function ctxHeaders(o = {}) {
	return {
		'X-API-Key': o.key ?? s.kInc,
		account_id: String(o.account ?? s.acc),
		persona_id: String(o.persona ?? s.asst),
		call_id: String(o.call ?? s.call),
		...(o.caller === null ? {} : { caller_id_number: o.caller ?? '+4917612345678' }),
	};
}

async function incallClient(headers) {
	const transport = new StreamableHTTPClientTransport(s.server.url('/call/mcp'), { requestInit: { headers } });
	const client = new Client({ name: 'voice-engine', version: '1.0.0' });
	await client.connect(transport);
	s.ctx.defer(() => client.close());
	return client;
}

function todayIn(zone) {
	const p = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
	return p;   // YYYY-MM-DD
}

export default defineSuite({
	name: 'incall',
	async setup(ctx) {
		s.ctx = ctx;
		s.crm = await startCrm();
		ctx.defer(() => new Promise((r) => { s.crm.srv.closeAllConnections?.(); s.crm.srv.close(() => r()); }));
		s.sb = await ctx.sandbox();
		s.acc = await s.sb.account('Voice GmbH');
		s.accB = await s.sb.account('Other Ltd');
		s.kCtl = await s.sb.key(s.acc, 'read,write');
		s.kInc = await s.sb.key(s.acc, 'incall');
		s.kIncB = await s.sb.key(s.accB, 'incall');
		s.server = await s.sb.startServer([], {
			SWITCHBOARD_HTTP_ALLOW: '127.0.0.1/32',
		});
		s.ctl = (await ctx.httpClient(s.server, { Authorization: `Bearer ${s.kCtl}` })).client;
		const crm = `http://127.0.0.1:${s.crm.port}`;
		s.tGet = (await callOk(s.ctl, 'create_mid_call_tool', {
			name: 'crm_lookup', description: 'Looks the caller up in the CRM',
			endpoint: `${crm}/customers/{customer_id}?phone={{customer_phone}}&call={{call_id}}`,
			method: 'GET', timeout: 2,
			headers: [{ name: 'Authorization', value: 'Bearer crm-token-{customer_id}' }],
			schema: [{ name: 'customer_id', type: 'string', description: 'customer number', required: true },
				{ name: 'note', type: 'string', description: 'free text' }],
		})).data.id;
		s.tPost = (await callOk(s.ctl, 'create_mid_call_tool', {
			name: 'book_visit', description: 'Books a visit',
			endpoint: `${crm}/visits`, method: 'POST', timeout: 2,
			schema: [{ name: 'day', type: 'string', required: true }, { name: 'people', type: 'number', required: true }],
		})).data.id;
		s.tSlow = (await callOk(s.ctl, 'create_mid_call_tool', {
			name: 'slow_crm', description: 'Too slow', endpoint: `${crm}/slow`, method: 'GET', timeout: 1, schema: [],
		})).data.id;
		s.tNever = (await callOk(s.ctl, 'create_mid_call_tool', {
			name: 'dead_crm', description: 'Never answers', endpoint: `${crm}/never`, method: 'POST', timeout: 1, schema: [],
		})).data.id;
		s.tBoom = (await callOk(s.ctl, 'create_mid_call_tool', {
			name: 'broken_crm', description: 'Errors', endpoint: `${crm}/boom`, method: 'GET', timeout: 2, schema: [],
		})).data.id;
		s.tRedir = (await callOk(s.ctl, 'create_mid_call_tool', {
			name: 'sneaky_crm', description: 'Redirects to a private address', endpoint: `${crm}/to-private`, method: 'GET', timeout: 2, schema: [],
		})).data.id;
		s.tXfer = (await callOk(s.ctl, 'create_mid_call_tool', {
			name: 'to_billing', description: 'Transfers to the billing team', kind: 'transfer_to_queue',
			target: '250', say_start: 'Connecting you to billing.',
		})).data.id;
		s.asst = (await callOk(s.ctl, 'create_assistant', {
			assistant_name: 'Front desk', calls_direction: 'receive', timezone: 'Europe/Berlin',
			tool_ids: [s.tGet, s.tPost, s.tSlow, s.tNever, s.tBoom, s.tRedir, s.tXfer],
		})).data.id;
		s.asst2 = (await callOk(s.ctl, 'create_assistant', { assistant_name: 'Bare', calls_direction: 'receive' })).data.id;
		s.call = Number((await s.sb.cli(['call', 'start', '--account', String(s.acc), '--assistant', String(s.asst),
			'--from', '+4917612345678', '--to', '+4930555000'])).stdout.trim());
		s.call2 = Number((await s.sb.cli(['call', 'start', '--account', String(s.acc), '--assistant', String(s.asst2),
			'--from', '+4917699999999'])).stdout.trim());
		// directory data through the operator CLI
		const csv = path.join(s.sb.dir, 'contacts.csv');
		fs.writeFileSync(csv, 'name,phone,company,email\n"Muster, Erika",030 1234567,ACME,e@acme.test\nJohn Roe,+1 (415) 555-2671,,\n');
		assert.match((await s.sb.cli(['contact', 'import', '--account', String(s.acc), '--country', '49', csv])).stdout, /imported 2/);
		const vcf = path.join(s.sb.dir, 'contacts.vcf');
		fs.writeFileSync(vcf, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hans Card\r\nORG:Card Co;Sales\r\nTEL;TYPE=CELL:+49 171 \r\n 2345678\r\nEND:VCARD\r\n');
		assert.match((await s.sb.cli(['contact', 'import', '--account', String(s.acc), vcf])).stdout, /imported 1/);
		s.user = Number((await s.sb.cli(['user', 'add', '--account', String(s.acc), '--name', 'Anna', '--extension', '201'])).stdout.trim());
		s.userB = Number((await s.sb.cli(['user', 'add', '--account', String(s.accB), '--name', 'Bob'])).stdout.trim());
	},
	tests: [
		{
			name: 'missing context header → 400; key without incall → 403; foreign account, wrong persona, unknown call → 403',
			async fn() {
				const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
				const h = ctxHeaders();
				delete h.call_id;
				let r = await rawPost(s.server, { path: '/call/mcp', headers: h, body });
				assert.equal(r.status, 400);
				assert.match(r.json.error.message, /call_id/);
				r = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders({ key: s.kCtl }), body });
				assert.equal(r.status, 403);
				assert.match(r.json.error.message, /incall/);
				r = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders({ key: s.kIncB }), body });
				assert.equal(r.status, 403);
				r = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders({ key: s.kIncB, account: s.accB }), body });
				assert.equal(r.status, 403, 'account B must not see account A\'s call');
				assert.match(r.json.error.message, /not found/);
				r = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders({ persona: s.asst2 }), body });
				assert.equal(r.status, 403);
				assert.match(r.json.error.message, /persona/);
				r = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders({ call: 999999 }), body });
				assert.equal(r.status, 403);
				r = await rawPost(s.server, { path: '/call/mcp', headers: { ...ctxHeaders(), 'X-API-Key': 'sb_00000000_nope' }, body });
				assert.equal(r.status, 401);
			},
		},
		{
			name: 'stateless: one POST without a session answers tools/list',
			async fn() {
				const r = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders(), body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }) });
				assert.equal(r.status, 200, r.text);
				assert.ok(r.json.result.tools.some((t) => t.name === 'crm_lookup'));
				assert.equal(r.headers.get('mcp-session-id'), null);
			},
		},
		{
			name: 'tools/list per persona: globals + the assistant\'s own tools, conservative schemas, spoken messages',
			async fn() {
				s.ic = await incallClient(ctxHeaders());
				const tools = (await s.ic.listTools()).tools;
				const names = tools.map((t) => t.name);
				for (const g of ['transfer_call', 'hangup_call', 'is_office_open', 'lookup_contact', 'check_user_availability', 'create_lead'])
					assert.ok(names.includes(g), `missing ${g}`);
				for (const c of ['crm_lookup', 'book_visit', 'slow_crm'])
					assert.ok(names.includes(c), `missing custom ${c}`);
				assert.ok(!names.includes('get_assistants'), 'control tools leak into the in-call list');
				const allowed = new Set(['type', 'properties', 'required', 'enum', 'items', 'description']);
				const walk = (sch) => {
					for (const k of Object.keys(sch)) assert.ok(allowed.has(k), `schema keyword '${k}' served`);
					for (const p of Object.values(sch.properties ?? {})) walk(p);
				};
				for (const t of tools) {
					walk(t.inputSchema);
					const sp = t._meta?.['io.switchboard/speech'];
					assert.ok(sp?.on_start && sp?.on_failure, `${t.name} has no spoken messages`);
				}
				const crm = tools.find((t) => t.name === 'crm_lookup');
				assert.deepEqual(crm.inputSchema.required, ['customer_id']);
				const other = await incallClient(ctxHeaders({ persona: s.asst2, call: s.call2 }));
				const names2 = (await other.listTools()).tools.map((t) => t.name);
				assert.ok(!names2.includes('crm_lookup'), 'another persona sees this assistant\'s tools');
			},
		},
		{
			name: 'is_office_open: holiday, 24-hour exception, no hours configured',
			async fn() {
				const file = path.join(s.sb.dir, 'hours.json');
				const today = todayIn('Europe/Berlin');
				const week = { monday: [{ open: '09:00', close: '17:00' }], tuesday: [{ open: '09:00', close: '17:00' }] };
				fs.writeFileSync(file, JSON.stringify({ weekly: week, exceptions: [{ date: today, closed: true }] }));
				await s.sb.cli(['office-hours', 'set', '--account', String(s.acc), '--assistant', String(s.asst), file]);
				let r = await callOk(s.ic, 'is_office_open', {}, 'incall');
				assert.equal(r.message, 'Office is closed today');
				assert.equal(r.open, false);
				fs.writeFileSync(file, JSON.stringify({ weekly: week, exceptions: [{ date: today, open_24h: true }] }));
				await s.sb.cli(['office-hours', 'set', '--account', String(s.acc), '--assistant', String(s.asst), file]);
				r = await callOk(s.ic, 'is_office_open', {}, 'incall');
				assert.equal(r.message, 'Office is open 24 hours today');
				assert.equal(r.open, true);
				fs.writeFileSync(file, '{"weekly":{"funday":[]}}');
				const bad = await s.sb.cli(['office-hours', 'set', '--account', String(s.acc), '--assistant', String(s.asst), file], { allowFail: true });
				assert.notEqual(bad.code, 0);
				assert.match(bad.stderr, /funday/);
				const bare = await incallClient(ctxHeaders({ persona: s.asst2, call: s.call2 }));
				r = await callOk(bare, 'is_office_open', {}, 'incall');
				// no hours configured for this assistant: no restriction, said so
				assert.deepEqual({ message: r.message, open: r.open, state: r.state, opens_at: r.opens_at,
					closes_at: r.closes_at, configured: r.configured },
				{ message: 'Office is open 24 hours today', open: true, state: 'open_24h', opens_at: null,
					closes_at: null, configured: false });
			},
		},
		{
			name: 'lookup_contact matches across number formats (CSV and vCard imports)',
			async fn() {
				for (const n of ['+49 30 1234567', '0049301234567', '+49(30)123-4567']) {
					const r = await callOk(s.ic, 'lookup_contact', { phone_number: n }, 'incall');
					assert.equal(r.found, true, n);
					assert.equal(r.name, 'Muster, Erika');
					assert.equal(r.company, 'ACME');
					assert.deepEqual(r.numbers, ['+49301234567']);
				}
				const us = await callOk(s.ic, 'lookup_contact', { phone_number: '+14155552671' }, 'incall');
				assert.equal(us.name, 'John Roe');
				const vc = await callOk(s.ic, 'lookup_contact', { phone_number: '+491712345678' }, 'incall');
				assert.equal(vc.name, 'Hans Card');
				assert.equal(vc.source, 'native');
				assert.equal(vc.contacts[0].imported_from, 'vcard');
				const none = await callOk(s.ic, 'lookup_contact', { phone_number: '+4989000000' }, 'incall');
				assert.equal(none.found, false);
				expectInvalid(await s.ic.request({ method: 'tools/call', params: { name: 'lookup_contact', arguments: { phone_number: 'call me' } } }, CallToolResultSchema), 'phone_number');
			},
		},
		{
			name: 'check_user_availability: DND and another account\'s user',
			async fn() {
				let r = await callOk(s.ic, 'check_user_availability', { user_id: String(s.user) }, 'incall');
				assert.equal(r.available, true);
				assert.equal(r.dnd, false);
				await s.sb.cli(['user', 'dnd', '--account', String(s.acc), '--user', String(s.user), 'on']);
				r = await callOk(s.ic, 'check_user_availability', { user_id: String(s.user) }, 'incall');
				assert.equal(r.available, false);
				assert.equal(r.dnd, true);
				const foreign = await callRaw(s.ic, 'check_user_availability', { user_id: String(s.userB) });
				expectInvalid(foreign, 'user_id');
			},
		},
		{
			name: 'create_lead: a new lead, then a case on the same lead; a repeated call is done once',
			async fn() {
				const a = await callOk(s.ic, 'create_lead', { name: 'Erika', intent: 'wants a quote', classification: 'lead' }, 'incall');
				assert.equal(a.existing_lead, false);
				const again = await callOk(s.ic, 'create_lead', { name: 'Erika', intent: 'wants a quote', classification: 'lead' }, 'incall');
				assert.deepEqual(again, a, 'a barge-in repeat created a second case');
				const b = await callOk(s.ic, 'create_lead', { name: 'Erika', intent: 'complains about the quote' }, 'incall');
				assert.equal(b.existing_lead, true);
				assert.equal(b.lead_id, a.lead_id);
				assert.notEqual(b.case_id, a.case_id);
				const leads = await callOk(s.ctl, 'list_leads', { phone_number: '+4917612345678' });
				assert.equal(leads.total, 1);
			},
		},
		{
			name: 'custom GET tool: placeholders URL-encoded, system variables, secret header, signed',
			async fn() {
				const before = s.crm.seen.length;
				const r = await callOk(s.ic, 'crm_lookup', { customer_id: 'A/B 7&x=1', note: 'hi there' }, 'incall');
				assert.equal(r.ok, true);
				assert.equal(r.result.customer.name, 'Erika Muster');
				const req = s.crm.seen[before];
				assert.equal(req.method, 'GET');
				assert.ok(req.url.startsWith('/customers/A%2FB%207%26x%3D1?'), req.url);
				const q = new URL(req.url, 'http://x').searchParams;
				assert.equal(q.get('phone'), '+4917612345678');
				assert.equal(q.get('call'), String(s.call));
				assert.equal(q.get('note'), 'hi there');
				assert.equal(q.get('x'), null, 'a placeholder value broke out of its path segment');
				assert.equal(req.headers.authorization, 'Bearer crm-token-A/B 7&x=1');
				assert.match(req.headers['x-switchboard-signature'] ?? '', /^t=\d+,v2=[0-9a-f]{64}$/);
				const def = await callOk(s.ctl, 'get_mid_call_tool', { id: s.tGet });
				assert.ok(!JSON.stringify(def).includes('crm-token'), 'header value shown by the control plane');
			},
		},
		{
			name: 'custom POST tool: JSON body with typed params; wrong type refused before any request',
			async fn() {
				const before = s.crm.seen.length;
				const r = await callOk(s.ic, 'book_visit', { day: 'monday', people: 3 }, 'incall');
				assert.deepEqual(r.result.echo.body, { day: 'monday', people: 3 });
				assert.equal(s.crm.seen[before].headers['content-type'], 'application/json');
				const bad = await callRaw(s.ic, 'book_visit', { day: 'monday', people: 'three' });
				expectInvalid(bad, 'people');
				assert.equal(s.crm.seen.length, before + 1, 'an invalid call reached the CRM');
			},
		},
		{
			name: 'failures have defined answers: 500, slow, silent, redirect to a private address, header injection',
			timeout: 30000,
			async fn() {
				let r = await callRaw(s.ic, 'broken_crm', {});
				assert.equal(r.isError, true);
				assert.ok(!JSON.stringify(r).includes('Traceback'), 'raw upstream error body handed to the model');
				let t0 = Date.now();
				r = await callRaw(s.ic, 'slow_crm', {});
				assert.equal(r.isError, true);
				assert.match(JSON.stringify(r.structuredContent), /time/);
				assert.ok(Date.now() - t0 < 2900, `timeout not enforced (${Date.now() - t0} ms)`);
				t0 = Date.now();
				r = await callRaw(s.ic, 'dead_crm', {});
				assert.equal(r.isError, true);
				assert.ok(Date.now() - t0 < 2900);
				r = await callRaw(s.ic, 'sneaky_crm', {});
				assert.equal(r.isError, true);
				assert.match(JSON.stringify(r.structuredContent), /not allowed|blocked/);
				const before = s.crm.seen.length;
				r = await callRaw(s.ic, 'crm_lookup', { customer_id: 'x\r\nX-Evil: 1' });
				assert.equal(r.isError, true);
				assert.equal(s.crm.seen.length, before, 'an injected header value was sent');
			},
		},
		{
			name: 'custom transfer tools: defined with kind and target, listed with their own spoken message, answered as a transfer',
			async fn() {
				const def = await callOk(s.ctl, 'get_mid_call_tool', { id: s.tXfer });
				assert.equal(def.data.kind, 'transfer_to_queue');
				assert.equal(def.data.target, '250');
				const listed = (await s.ic.listTools()).tools.find((t) => t.name === 'to_billing');
				assert.equal(listed._meta['io.switchboard/speech'].on_start, 'Connecting you to billing.');
				const r = await callOk(s.ic, 'to_billing', {}, 'incall');
				assert.equal(r.action, 'transfer');
				assert.equal(r.destination, '250');
				expectInvalid(await callRaw(s.ctl, 'create_mid_call_tool', { name: 'no_target', description: 'x', kind: 'transfer_to_user' }), 'target');
				expectInvalid(await callRaw(s.ctl, 'create_mid_call_tool', { name: 'no_url', description: 'x' }), 'endpoint');
				const up = await callOk(s.ctl, 'update_mid_call_tool', { id: s.tXfer, say_start: null, target: '251' });
				assert.equal(up.data.target, '251');
				assert.equal(up.data.say_start, null);
				assert.equal(up.data.kind, 'transfer_to_queue', 'an update lost the kind');
			},
		},
		{
			name: 'decision log: list_call_actions shows every action with status and latency; other accounts see nothing',
			async fn() {
				const log = await callOk(s.ctl, 'list_call_actions', { call_id: s.call });
				const tools = log.data.map((a) => a.tool);
				for (const t of ['is_office_open', 'lookup_contact', 'create_lead', 'crm_lookup', 'book_visit', 'broken_crm', 'slow_crm'])
					assert.ok(tools.includes(t), `no ${t} in ${tools}`);
				assert.equal(tools.filter((t) => t === 'create_lead').length, 2, 'a replay was logged as a second action');
				const get = log.data.find((a) => a.tool === 'crm_lookup' && a.outcome === 'ok');
				assert.equal(get.upstream_status, 200);
				assert.ok(get.latency_ms > 0);
				const boom = log.data.find((a) => a.tool === 'broken_crm');
				assert.equal(boom.upstream_status, 500);
				assert.equal(boom.outcome, 'error');
				const call = await callOk(s.ctl, 'get_call', { call_id: s.call });
				assert.deepEqual((call.actions ?? []).map((a) => a.tool), tools, 'get_call does not show the decision log');
				const kB = await s.sb.key(s.accB, 'read');
				const b = (await s.ctx.httpClient(s.server, { Authorization: `Bearer ${kB}` })).client;
				expectInvalid(await callRaw(b, 'list_call_actions', { call_id: s.call }), 'call_id');
			},
		},
		{
			name: 'transfer_call validates the destination; hangup_call ends the call and the endpoint closes',
			async fn() {
				let r = await callOk(s.ic, 'transfer_call', { destination_number: '030 555 1234' }, 'incall');
				assert.equal(r.action, 'transfer');
				r = await callOk(s.ic, 'transfer_call', { destination_number: '201' }, 'incall');
				assert.equal(r.destination, '201');
				expectInvalid(await callRaw(s.ic, 'transfer_call', { destination_number: 'sales dept' }), 'destination_number');
				// keypad tones repeat on purpose (two menus, same key): never deduplicated
				const d1 = await callOk(s.ic, 'send_dtmf', { digits: '1' }, 'incall');
				const d2 = await callOk(s.ic, 'send_dtmf', { digits: '1' }, 'incall');
				assert.equal(d1.performed_by, 'engine');
				assert.equal(d2.status, d1.status);
				const log = await callOk(s.ctl, 'list_call_actions', { call_id: s.call });
				assert.equal(log.data.filter((a) => a.tool === 'send_dtmf').length, 2, 'the second key press was swallowed');
				r = await callOk(s.ic, 'hangup_call', {}, 'incall');
				assert.equal(r.action, 'hangup');
				const call = await callOk(s.ctl, 'get_call', { call_id: s.call });
				assert.equal(call.status ?? call.data?.status, 'ended_by_assistant');
				const after = await rawPost(s.server, { path: '/call/mcp', headers: ctxHeaders(), body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }) });
				assert.equal(after.status, 403);
				assert.match(after.json.error.message, /not active/);
			},
		},
	],
});
