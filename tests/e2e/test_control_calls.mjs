// test_control_calls.mjs - calls on our own platform: make_call under spend
// governance (confirmation token: wrong args, reuse, expiry; elicitation:
// accept, decline, cancel; idempotency; the spend scope; balance), the call
// runtime failing a call without a SIP trunk with its reason, get_call,
// list_calls with every filter, delete_call, get_outbound_assistants, and
// cross-account isolation for every id-taking call tool.
import assert from 'node:assert/strict';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { callOk, callRaw, defineSuite, expectInvalid, listAllTools, noteListed, sleep } from './lib.mjs';

const s = {};
const TO = '+4915123456789';

/* First call: a preview with a token; the second, with the token, runs. */
async function confirmed(client, name, args) {
	const first = await callOk(client, name, args);
	assert.equal(first.status, 'confirmation_required', JSON.stringify(first));
	assert.match(first.confirmation_token, /^[0-9a-f]{64}$/);
	assert.ok(first.preview?.estimated_cost, JSON.stringify(first.preview));
	return callOk(client, name, { ...args, confirmation_token: first.confirmation_token });
}

async function callCount(client, filters = {}) {
	return (await callOk(client, 'list_calls', { per_page: 1, ...filters })).total;
}

/* get_call until the status leaves 'initiated' (the runtime is a thread). */
async function settled(client, id) {
	for (let i = 0; i < 100; i++) {
		const c = await callOk(client, 'get_call', { call_id: id });
		if (c.status !== 'initiated')
			return c;
		await sleep(50);
	}
	throw new Error(`call ${id} stayed initiated`);
}

function today(offsetDays = 0) {
	return new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10);
}

export default defineSuite({
	name: 'control-calls',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.accA = await s.sb.account('Calls A', { balance: 5 });
		s.accB = await s.sb.account('Calls B', { balance: 5 });
		s.accPoor = await s.sb.account('Calls Poor', { balance: '0.05' });
		s.phoneA = await s.sb.number(s.accA, '+4930555100', { type: 'outbound' });
		s.phoneB = await s.sb.number(s.accB, '+4930555200', { type: 'outbound' });
		s.phonePoor = await s.sb.number(s.accPoor, '+4930555300', { type: 'outbound' });
		s.keyA = await s.sb.key(s.accA, 'read,write,spend');
		s.keyAnoSpend = await s.sb.key(s.accA, 'read,write');
		s.keyB = await s.sb.key(s.accB, 'read,write,spend');
		s.keyPoor = await s.sb.key(s.accPoor, 'read,write,spend');
		s.server = await s.sb.startServer();
		s.ttlServer = await s.sb.startServer([], { SWITCHBOARD_CONFIRM_TTL: '1' });
		const open = async (server, key, opts) => {
			const { client } = await ctx.httpClient(server, { Authorization: `Bearer ${key}` }, opts);
			noteListed(await listAllTools(client));   // also arms the SDK's output-schema checks
			return client;
		};
		s.A = await open(s.server, s.keyA);
		s.AnoSpend = await open(s.server, s.keyAnoSpend);
		s.B = await open(s.server, s.keyB);
		s.Poor = await open(s.server, s.keyPoor);
		s.Attl = await open(s.ttlServer, s.keyA);
		s.E = await open(s.server, s.keyA, { capabilities: { elicitation: {} } });
		s.elicit = { action: 'accept', seen: [] };
		s.E.setRequestHandler(ElicitRequestSchema, async (req) => {
			s.elicit.seen.push(req.params);
			return s.elicit.action === 'accept'
				? { action: 'accept', content: { confirm: true } } : { action: s.elicit.action };
		});
	},
	tests: [
		{
			name: 'tools/list: spend tools are open-world, not idempotent, not read-only',
			async fn() {
				const by = Object.fromEntries((await listAllTools(s.A)).map((t) => [t.name, t]));
				for (const n of ['make_call', 'send_sms', 'update_campaign_status']) {
					const a = by[n].annotations;
					assert.equal(a.readOnlyHint, false, n);
					assert.equal(a.idempotentHint, false, n);
					assert.equal(a.openWorldHint, true, n);
					assert.ok(by[n].inputSchema.properties.confirmation_token, `${n}: confirmation_token`);
					assert.ok(by[n].inputSchema.properties.idempotency_key, `${n}: idempotency_key`);
				}
				for (const n of ['get_call', 'list_calls', 'get_outbound_assistants']) {
					assert.equal(by[n].annotations.readOnlyHint, true, n);
					assert.equal(by[n].annotations.destructiveHint, false, n);
				}
				assert.equal(by.delete_call.annotations.destructiveHint, true);
				assert.equal(by.make_call.inputSchema.additionalProperties, false);
				assert.equal(by.list_calls.inputSchema.properties.date_from.format, 'date');
				assert.equal(by.list_calls.inputSchema.properties.per_page.maximum, 100);
			},
		},
		{
			name: 'assistants: get_outbound_assistants lists only calls_direction make',
			async fn() {
				const out = await callOk(s.A, 'create_assistant', {
					assistant_name: 'Dialer', calls_direction: 'make', phone_number_id: s.phoneA, max_call_duration: 120,
				});
				s.asst = out.data.id;
				await callOk(s.A, 'create_assistant', { assistant_name: 'Inbound only', calls_direction: 'receive' });
				s.noPhone = (await callOk(s.A, 'create_assistant', { assistant_name: 'No number', calls_direction: 'make' })).data.id;
				const page = await callOk(s.A, 'get_outbound_assistants', {});
				assert.deepEqual(page.data.map((a) => a.assistant_name).sort(), ['Dialer', 'No number']);
				assert.equal(page.total, 2);
				assert.equal(page.per_page, 10);
				const p2 = await callOk(s.A, 'get_outbound_assistants', { page: 2, per_page: 1 });
				assert.equal(p2.current_page, 2);
				assert.equal(p2.data.length, 1);
				expectInvalid(await callRaw(s.A, 'get_outbound_assistants', { per_page: 101 }), 'per_page');
				assert.equal((await callOk(s.B, 'get_outbound_assistants', {})).total, 0);
				s.asstB = (await callOk(s.B, 'create_assistant', {
					assistant_name: 'B dialer', calls_direction: 'make', phone_number_id: s.phoneB,
				})).data.id;
				s.asstPoor = (await callOk(s.Poor, 'create_assistant', {
					assistant_name: 'Poor dialer', calls_direction: 'make', phone_number_id: s.phonePoor,
				})).data.id;
			},
		},
		{
			name: 'make_call: validation failures never reach the gate',
			async fn() {
				expectInvalid(await callRaw(s.A, 'make_call', { assistant_id: s.asst, phone_number: '015123' }), 'phone_number');
				expectInvalid(await callRaw(s.A, 'make_call', { assistant_id: s.asst }), 'phone_number');
				expectInvalid(await callRaw(s.A, 'make_call', { assistant_id: 0, phone_number: TO }), 'assistant_id');
				expectInvalid(await callRaw(s.A, 'make_call', { assistant_id: s.asst, phone_number: TO, extra: 1 }), 'extra');
				expectInvalid(await callRaw(s.A, 'make_call', { assistant_id: s.asst, phone_number: TO, variables: { a: [1] } }), 'variables');
				expectInvalid(await callRaw(s.A, 'make_call', { assistant_id: 999999, phone_number: TO }), 'assistant_id');
				const r = await callRaw(s.A, 'make_call', { assistant_id: s.noPhone, phone_number: TO });
				expectInvalid(r, 'assistant_id');
				assert.match(r.structuredContent.errors.assistant_id[0], /no phone number/);
				assert.equal(await callCount(s.A), 0);
			},
		},
		{
			name: 'make_call: a key without the spend scope is refused',
			async fn() {
				const r = await callRaw(s.AnoSpend, 'make_call', { assistant_id: s.asst, phone_number: TO });
				assert.equal(r.isError, true);
				assert.equal(r.structuredContent.required_scope, 'spend');
			},
		},
		{
			name: 'make_call: the first call previews (what, to whom, cost) and does nothing',
			async fn() {
				const args = { assistant_id: s.asst, phone_number: TO, variables: { name: 'Ada' } };
				const pv = await callOk(s.A, 'make_call', args);
				assert.equal(pv.status, 'confirmation_required');
				assert.equal(pv.preview.action, 'place a phone call');
				assert.match(pv.preview.target, /\+4915123456789 with assistant 'Dialer' from \+4930555100/);
				assert.equal(pv.preview.estimated_cost, '0.18');   // 2 minutes at $0.09
				assert.equal(pv.preview.currency, 'USD');
				assert.ok(Date.parse(pv.expires_at) > Date.now());
				assert.equal(await callCount(s.A), 0);
				s.pending = { args, token: pv.confirmation_token };
			},
		},
		{
			name: 'make_call: the token with other arguments is refused and stays valid',
			async fn() {
				const r = await callRaw(s.A, 'make_call', { ...s.pending.args, phone_number: '+4915199999999', confirmation_token: s.pending.token });
				expectInvalid(r, 'confirmation_token');
				assert.match(r.structuredContent.errors.confirmation_token[0], /different/);
				const r2 = await callRaw(s.A, 'make_call', { ...s.pending.args, variables: {}, confirmation_token: s.pending.token });
				expectInvalid(r2, 'confirmation_token');
				assert.equal(await callCount(s.A), 0);
				// another account cannot use it either
				const r3 = await callRaw(s.B, 'make_call', { assistant_id: s.asstB, phone_number: TO, confirmation_token: s.pending.token });
				expectInvalid(r3, 'confirmation_token');
			},
		},
		{
			name: 'make_call: the token runs the call once; a reuse is refused',
			async fn() {
				const res = await callOk(s.A, 'make_call', { ...s.pending.args, confirmation_token: s.pending.token });
				assert.equal(res.message, 'Call initiated successfully');
				assert.equal(res.status, 'initiated');
				assert.ok(Number.isInteger(res.call_id));
				s.call1 = res.call_id;
				const again = await callRaw(s.A, 'make_call', { ...s.pending.args, confirmation_token: s.pending.token });
				expectInvalid(again, 'confirmation_token');
				assert.match(again.structuredContent.errors.confirmation_token[0], /already used/);
				assert.equal(await callCount(s.A), 1);
			},
		},
		{
			name: 'call runtime: without a SIP trunk the call fails with the stated reason',
			async fn() {
				const c = await settled(s.A, s.call1);
				assert.equal(c.status, 'failed');
				assert.equal(c.end_reason, 'no SIP trunk configured for phone number +4930555100');
				assert.equal(c.type, 'outbound');
				assert.equal(c.assistant_name, 'Dialer');
				assert.equal(c.assistant_phone_number, '+4930555100');
				assert.equal(c.client_phone_number, TO);
				assert.deepEqual(c.variables, { name: 'Ada' });
				assert.deepEqual(c.transcript, []);
				assert.equal(c.campaign_name, null);
				assert.equal(c.duration, 0);
				assert.equal(c.total_cost, '0.00');
				assert.equal(c.carrier_cost, '0.00');
				assert.ok(c.ended_at);
			},
		},
		{
			name: 'make_call: an expired token is refused (SWITCHBOARD_CONFIRM_TTL=1)',
			async fn() {
				const args = { assistant_id: s.asst, phone_number: '+4915100000001' };
				const pv = await callOk(s.Attl, 'make_call', args);
				const left = Date.parse(pv.expires_at) - Date.now();
				assert.ok(left <= 1500, `expires in ${left} ms`);
				await sleep(2100);
				const r = await callRaw(s.Attl, 'make_call', { ...args, confirmation_token: pv.confirmation_token });
				expectInvalid(r, 'confirmation_token');
				assert.match(r.structuredContent.errors.confirmation_token[0], /expired/);
				assert.equal(await callCount(s.A, { phone_number: '+4915100000001' }), 0);
			},
		},
		{
			name: 'make_call: idempotency_key returns the first result, never a second call',
			async fn() {
				const args = { assistant_id: s.asst, phone_number: '+4915100000002', idempotency_key: 'retry-42' };
				const first = await confirmed(s.A, 'make_call', args);
				// a retry (no token needed: the key answers) gets the same answer
				const replay = await callOk(s.A, 'make_call', args);
				assert.deepEqual(replay, first);
				const replay2 = await callOk(s.A, 'make_call', { ...args, confirmation_token: 'f'.repeat(64) });
				assert.equal(replay2.call_id, first.call_id);
				assert.equal(await callCount(s.A, { phone_number: '+4915100000002' }), 1);
				// the same key for other arguments is refused
				const other = await callRaw(s.A, 'make_call', { ...args, phone_number: '+4915100000003' });
				expectInvalid(other, 'idempotency_key');
				assert.equal(await callCount(s.A, { phone_number: '+4915100000003' }), 0);
				await settled(s.A, first.call_id);
			},
		},
		{
			name: 'make_call with elicitation: accept places the call',
			async fn() {
				s.elicit.action = 'accept';
				s.elicit.seen = [];
				const res = await callOk(s.E, 'make_call', { assistant_id: s.asst, phone_number: '+4915100000004' });
				assert.equal(res.status, 'initiated');
				assert.equal(s.elicit.seen.length, 1);
				const q = s.elicit.seen[0];
				assert.match(q.message, /place a phone call/);
				assert.match(q.message, /\+4915100000004/);
				assert.match(q.message, /0\.18 USD/);
				assert.equal(q.requestedSchema.properties.confirm.type, 'boolean');
				assert.equal((await settled(s.A, res.call_id)).status, 'failed');
			},
		},
		{
			name: 'make_call with elicitation: decline and cancel do nothing',
			async fn() {
				for (const action of ['decline', 'cancel']) {
					s.elicit.action = action;
					const r = await callRaw(s.E, 'make_call', { assistant_id: s.asst, phone_number: '+4915100000005' });
					assert.equal(r.isError, true, action);
					assert.equal(r.structuredContent.status, action);
					assert.match(r.structuredContent.message, /nothing was done/);
					assert.equal(r.structuredContent.preview.action, 'place a phone call');
				}
				assert.equal(await callCount(s.A, { phone_number: '+4915100000005' }), 0);
				s.elicit.action = 'accept';
			},
		},
		{
			name: 'make_call: balance exhaustion is a clear error before and after confirming',
			async fn() {
				const r = await callRaw(s.Poor, 'make_call', { assistant_id: s.asstPoor, phone_number: TO });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /insufficient balance/);
				assert.equal(r.structuredContent.balance, '0.05');
				assert.equal(r.structuredContent.required, '0.09');
				assert.equal(await callCount(s.Poor), 0);
			},
		},
		{
			name: 'get_call / list_calls: filters, paging and validation',
			async fn() {
				const all = await callOk(s.A, 'list_calls', {});
				assert.equal(all.total, 3);
				assert.equal(all.per_page, 15);
				assert.equal(all.data[0].id > all.data[2].id, true, 'newest first');
				assert.ok(all.data.every((c) => typeof c.total_cost === 'string'));
				assert.equal(await callCount(s.A, { status: 'failed' }), 3);
				assert.equal(await callCount(s.A, { status: 'completed' }), 0);
				assert.equal(await callCount(s.A, { type: 'outbound' }), 3);
				assert.equal(await callCount(s.A, { type: 'inbound' }), 0);
				assert.equal(await callCount(s.A, { phone_number: TO }), 1);
				assert.equal(await callCount(s.A, { phone_number: '+4930555100' }), 3);
				assert.equal(await callCount(s.A, { assistant_id: s.asst }), 3);
				assert.equal(await callCount(s.A, { assistant_id: s.noPhone }), 0);
				assert.equal(await callCount(s.A, { campaign_id: 1 }), 0);
				assert.equal(await callCount(s.A, { date_from: today(), date_to: today() }), 3);
				assert.equal(await callCount(s.A, { date_from: today(1) }), 0);
				assert.equal(await callCount(s.A, { date_to: today(-1) }), 0);
				const p = await callOk(s.A, 'list_calls', { per_page: 2, page: 2 });
				assert.equal(p.data.length, 1);
				assert.equal(p.last_page, 2);
				assert.equal(p.from, 3);
				expectInvalid(await callRaw(s.A, 'list_calls', { date_from: '2024-13-01' }), 'date_from');
				expectInvalid(await callRaw(s.A, 'list_calls', { date_from: today(), date_to: today(-1) }), 'date_to');
				expectInvalid(await callRaw(s.A, 'list_calls', { status: 'done' }), 'status');
				expectInvalid(await callRaw(s.A, 'list_calls', { per_page: 0 }), 'per_page');
				expectInvalid(await callRaw(s.A, 'get_call', {}), 'call_id');
				expectInvalid(await callRaw(s.A, 'get_call', { call_id: 999999 }), 'call_id');
			},
		},
		{
			name: 'isolation: account B sees none of A\'s calls and cannot use A\'s assistant',
			async fn() {
				expectInvalid(await callRaw(s.B, 'get_call', { call_id: s.call1 }), 'call_id');
				expectInvalid(await callRaw(s.B, 'delete_call', { call_id: s.call1 }), 'call_id');
				assert.equal(await callCount(s.B), 0);
				assert.equal(await callCount(s.B, { assistant_id: s.asst }), 0);
				const r = await callRaw(s.B, 'make_call', { assistant_id: s.asst, phone_number: TO });
				expectInvalid(r, 'assistant_id');
				assert.match(r.structuredContent.errors.assistant_id[0], /not found/);
				assert.equal((await callOk(s.A, 'get_call', { call_id: s.call1 })).id, s.call1);
			},
		},
		{
			name: 'end_call: an operator ends a live call (marked ended, evaluated); not twice, not another account\'s',
			async fn() {
				// a live call driven by an external engine (the in-call plane's kind)
				const id = Number((await s.sb.cli(['call', 'start', '--account', String(s.accA), '--assistant', String(s.asst),
					'--from', '+4917612340000'])).stdout.trim());
				assert.equal((await callOk(s.A, 'get_call', { call_id: id })).status, 'in-progress');
				expectInvalid(await callRaw(s.B, 'end_call', { call_id: id }), 'call_id');
				const r = await callOk(s.A, 'end_call', { call_id: id });
				assert.deepEqual({ status: r.status, call_id: r.call_id }, { status: 'ended', call_id: id });
				const c = await callOk(s.A, 'get_call', { call_id: id });
				assert.equal(c.status, 'ended');
				assert.equal(c.end_reason, 'ended by an operator (end_call)');
				const again = await callRaw(s.A, 'end_call', { call_id: id });
				assert.match(expectInvalid(again, 'call_id')[0], /ended already \(status ended\)/);
				expectInvalid(await callRaw(s.A, 'end_call', { call_id: 999999 }), 'call_id');
				await callOk(s.A, 'delete_call', { call_id: id });
			},
		},
		{
			name: 'delete_call: an ended call goes; a second delete is not found',
			async fn() {
				const d = await callOk(s.A, 'delete_call', { call_id: s.call1 });
				assert.equal(d.message, 'Call deleted successfully');
				assert.equal(d.data.id, s.call1);
				expectInvalid(await callRaw(s.A, 'get_call', { call_id: s.call1 }), 'call_id');
				expectInvalid(await callRaw(s.A, 'delete_call', { call_id: s.call1 }), 'call_id');
				assert.equal(await callCount(s.A), 2);
			},
		},
		{
			name: 'get_me: usage counts the calls of this month',
			async fn() {
				const me = await callOk(s.A, 'get_me');
				assert.equal(me.usage_this_month.calls, 2);
				assert.equal(me.balance, '5.00');   // failed calls cost nothing
			},
		},
	],
});
