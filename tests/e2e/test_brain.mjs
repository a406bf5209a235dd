// test_brain.mjs - the assistant brain end to end: chat conversations answered
// by a real model loop against a scripted OpenAI-compatible model server
// (model_server.mjs). Covers variable templating, streamed answers, a custom
// mid-call tool hitting a local CRM with its answer fed back to the model, a
// failing tool and what the model is told, the tool-round bound, human
// handoff after repeated failures, hang-up ending a chat, timeouts, retries
// and garbage from the model server, post-call extraction with a wrong type
// rejected, widget billing down to an empty balance, account isolation, and
// a server without any model configured.
import assert from 'node:assert/strict';
import http from 'node:http';
import { callOk, callRaw, defineSuite, expectInvalid, listAllTools, noteListed, sleep } from './lib.mjs';
import { startModelServer } from './model_server.mjs';

const s = {};

function startCrm() {
	const seen = [];
	const srv = http.createServer((req, res) => {
		seen.push({ method: req.method, url: req.url });
		req.resume();
		req.on('end', () => {
			if (req.url.startsWith('/boom')) {
				res.writeHead(500, { 'Content-Type': 'text/plain' });
				res.end('Traceback (most recent call last): db password hunter2');
				return;
			}
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ customer: { name: 'Erika Muster', tier: 'gold' }, path: req.url }));
		});
	});
	return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ srv, seen, port: srv.address().port })));
}

async function untilTrue(fn, ms = 8000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error('condition not met in time');
		await sleep(100);
	}
}

/* A new test conversation on assistant `asst` (account A unless given). */
async function conv(asst, { client = s.A, variables, type } = {}) {
	return callOk(client, 'create_conversation', { assistant_id: asst, ...(variables ? { variables } : {}), ...(type ? { type } : {}) });
}

function lastChat() {
	const c = s.ms.chatRequests();
	return c[c.length - 1];
}

const BASE_ENV = () => ({
	SWITCHBOARD_LLM_URL: s.ms.url,
	SWITCHBOARD_LLM_MODEL: 'test-model',
	SWITCHBOARD_LLM_KEY: 'sk-test-model-key',
	SWITCHBOARD_LLM_TIMEOUT_MS: '1500',
	SWITCHBOARD_LLM_TRIES: '2',
	SWITCHBOARD_LLM_BACKOFF_MS: '50',
	SWITCHBOARD_LLM_RETRY_CAP_MS: '3000',
	SWITCHBOARD_LLM_MAX_TOOL_ROUNDS: '3',
	SWITCHBOARD_HTTP_ALLOW: '127.0.0.1/32',
});

export default defineSuite({
	name: 'brain',
	async setup(ctx) {
		s.ms = await startModelServer();
		ctx.defer(() => s.ms.close());
		s.crm = await startCrm();
		ctx.defer(() => new Promise((r) => { s.crm.srv.closeAllConnections?.(); s.crm.srv.close(() => r()); }));
		s.sb = await ctx.sandbox();
		s.accA = await s.sb.account('Brain A', { balance: 10 });
		s.accB = await s.sb.account('Brain B', { balance: 10 });
		s.accW = await s.sb.account('Widget W', { balance: 0.025 });
		s.server = await s.sb.startServer([], BASE_ENV());
		const open = async (acc, scopes = 'read,write,spend') => {
			const { client } = await ctx.httpClient(s.server, { Authorization: `Bearer ${await s.sb.key(acc, scopes)}` });
			return client;
		};
		s.A = await open(s.accA);
		s.B = await open(s.accB);
		s.W = await open(s.accW);
		s.Wnospend = await open(s.accW, 'read,write');
		noteListed(await listAllTools(s.A));
		const crm = `http://127.0.0.1:${s.crm.port}`;
		s.tLookup = (await callOk(s.A, 'create_mid_call_tool', {
			name: 'crm_lookup', description: 'Looks a customer up in the CRM by customer number',
			endpoint: `${crm}/customers/{customer_id}`, method: 'GET', timeout: 2,
			schema: [{ name: 'customer_id', type: 'string', description: 'customer number', required: true }],
		})).data.id;
		s.tBoom = (await callOk(s.A, 'create_mid_call_tool', {
			name: 'broken_crm', description: 'A CRM call that fails', endpoint: `${crm}/boom`, method: 'GET', timeout: 2, schema: [],
		})).data.id;
		s.asst = (await callOk(s.A, 'create_assistant', {
			assistant_name: 'Chatty', calls_direction: 'receive', timezone: 'Europe/Berlin',
			system_prompt: 'You help {customer_name} from {{company}} (assistant {{assistant_name}}, date {{current_date}}). Keep {braces} and {unknown_var} as they are.',
			initial_message: 'Hello {customer_name}, welcome to {{company}}!',
			who_speaks_first: 'AI assistant', llm_temperature: 0.3,
			variables: { company: 'Acme', customer_name: 'there' },
			tool_ids: [s.tLookup, s.tBoom],
		})).data.id;
		s.quiet = (await callOk(s.A, 'create_assistant', {
			assistant_name: 'Listener', calls_direction: 'receive', who_speaks_first: 'Customer',
			system_prompt: 'Listen.', end_call_tool: false,
		})).data.id;
		s.handoff = (await callOk(s.A, 'create_assistant', {
			assistant_name: 'Handoff', calls_direction: 'receive', who_speaks_first: 'Customer',
			system_prompt: 'Help.', fallback_number: '+4930111222', handoff_after_tool_failures: 2,
			tool_ids: [s.tBoom],
		})).data.id;
		s.extractor = (await callOk(s.A, 'create_assistant', {
			assistant_name: 'Extractor', calls_direction: 'receive', who_speaks_first: 'Customer',
			system_prompt: 'Qualify the lead.', post_call_evaluation: true,
			post_call_schema: [
				{ name: 'caller_name', type: 'string', description: 'The caller\'s name' },
				{ name: 'budget', type: 'number', description: 'Budget in EUR' },
				{ name: 'callback_requested', type: 'bool', description: 'Wants a call back' },
			],
		})).data.id;
		s.widgetAsst = (await callOk(s.W, 'create_assistant', {
			assistant_name: 'Widget bot', calls_direction: 'receive', who_speaks_first: 'Customer', system_prompt: 'Sell.',
		})).data.id;
	},
	tests: [
		{
			name: 'get_models lists the configured default model as usable, others not',
			async fn() {
				const m = await callOk(s.A, 'get_models');
				const t = m.data.find((x) => x.name === 'test-model');
				assert.ok(t, 'the default model is in the catalog');
				assert.equal(t.usable, true);
				assert.equal(m.data.find((x) => x.name === 'gpt-4o').usable, false);
				assert.equal(m.default_model, 'test-model');
			},
		},
		{
			name: 'model add while serving: usable at once, no restart',
			async fn() {
				await s.sb.cli(['model', 'add', '--name', 'added-live', '--url', s.ms.url]);
				const m = await callOk(s.A, 'get_models');
				assert.equal(m.data.find((x) => x.name === 'added-live')?.usable, true, JSON.stringify(m.data));
				await s.sb.cli(['model', 'remove', '--name', 'added-live']);
				assert.equal((await callOk(s.A, 'get_models')).data.find((x) => x.name === 'added-live'), undefined);
			},
		},
		{
			name: 'create_conversation: initial message templated from conversation and assistant variables',
			async fn() {
				const c = await conv(s.asst, { variables: { customer_name: 'Erika' } });
				assert.equal(c.status, 'active');
				assert.equal(c.type, 'test');
				assert.match(c.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
				assert.deepEqual(c.history, [{ role: 'assistant', content: 'Hello Erika, welcome to Acme!', function_calls: [] }]);
				s.c1 = c;
			},
		},
		{
			name: 'send_message: streamed reply; the model gets the templated prompt, history, temperature, tools and key',
			async fn() {
				s.ms.script({ content: 'Sure, I can help with that. What is your customer number?' });
				const r = await callOk(s.A, 'send_message', { uuid: s.c1.uuid, message: 'Hi, I need help' });
				assert.equal(r.reply, 'Sure, I can help with that. What is your customer number?');
				assert.deepEqual(r.function_calls, []);
				assert.equal(r.status, 'active');
				const req = lastChat();
				assert.equal(req.headers.authorization, 'Bearer sk-test-model-key');
				assert.equal(req.body.model, 'test-model');
				assert.equal(req.body.stream, true);
				assert.equal(req.body.temperature, 0.3);
				const sys = req.body.messages[0];
				assert.equal(sys.role, 'system');
				assert.match(sys.content, /^You help Erika from Acme \(assistant Chatty, date \d{4}-\d\d-\d\d\)\. Keep \{braces\} and \{unknown_var\} as they are\.$/);
				assert.deepEqual(req.body.messages.slice(1), [
					{ role: 'assistant', content: 'Hello Erika, welcome to Acme!' },
					{ role: 'user', content: 'Hi, I need help' },
				]);
				const names = req.body.tools.map((t) => t.function.name).sort();
				for (const n of ['crm_lookup', 'broken_crm', 'transfer_call', 'hangup_call', 'is_office_open', 'lookup_contact', 'create_lead'])
					assert.ok(names.includes(n), `tool ${n} offered (got ${names})`);
				const crm = req.body.tools.find((t) => t.function.name === 'crm_lookup');
				assert.equal(crm.type, 'function');
				assert.deepEqual(crm.function.parameters.required, ['customer_id']);
				assert.equal(req.body.tool_choice, 'auto');
			},
		},
		{
			name: 'a custom tool call hits the CRM and its answer goes back to the model',
			async fn() {
				const before = s.crm.seen.length;
				s.ms.script(
					{ content: 'Let me look that up.', tool_calls: [{ id: 'call_crm_1', name: 'crm_lookup', arguments: { customer_id: '42' } }] },
					{ content: 'You are Erika Muster, a gold customer.' },
				);
				const r = await callOk(s.A, 'send_message', { uuid: s.c1.uuid, message: 'It is 42' });
				assert.equal(r.reply, 'Let me look that up. You are Erika Muster, a gold customer.');
				assert.equal(r.function_calls.length, 1);
				const fc = r.function_calls[0];
				assert.equal(fc.name, 'crm_lookup');
				assert.deepEqual(fc.arguments, { customer_id: '42' });
				assert.equal(fc.is_error, false);
				assert.equal(fc.result.result.customer.name, 'Erika Muster');
				assert.equal(s.crm.seen.length, before + 1);
				assert.equal(s.crm.seen[before].url, '/customers/42');
				const req = lastChat();
				const n = req.body.messages.length;
				assert.equal(req.body.messages[n - 2].role, 'assistant');
				assert.equal(req.body.messages[n - 2].tool_calls[0].id, 'call_crm_1');
				assert.equal(req.body.messages[n - 2].tool_calls[0].function.name, 'crm_lookup');
				const tm = req.body.messages[n - 1];
				assert.equal(tm.role, 'tool');
				assert.equal(tm.tool_call_id, 'call_crm_1');
				assert.match(tm.content, /Erika Muster/);
				// the decision log of the conversation's call has it
				const log = await callOk(s.A, 'list_call_actions', { call_id: s.c1.call_id });
				assert.ok(log.data.some((a) => a.tool === 'crm_lookup' && a.outcome === 'ok'));
				// and the stored history shows it
				const g = await callOk(s.A, 'get_conversation', { uuid: s.c1.uuid });
				const last = g.history[g.history.length - 1];
				assert.equal(last.role, 'assistant');
				assert.equal(last.function_calls[0].name, 'crm_lookup');
			},
		},
		{
			name: 'the next turn replays the stored tool calls to the model (history kept across requests)',
			async fn() {
				s.ms.script({ content: 'Anything else?' });
				await callOk(s.A, 'send_message', { uuid: s.c1.uuid, message: 'Thanks' });
				const msgs = lastChat().body.messages;
				const tool = msgs.find((m) => m.role === 'tool');
				assert.ok(tool && /Erika Muster/.test(tool.content), 'tool result replayed');
				const call = msgs.find((m) => m.tool_calls);
				assert.equal(call.tool_calls[0].id, tool.tool_call_id);
				assert.equal(msgs[msgs.length - 1].content, 'Thanks');
			},
		},
		{
			name: 'a failing tool: the model is told a short error, never the upstream body',
			async fn() {
				s.ms.script(
					{ tool_calls: [{ id: 'call_boom', name: 'broken_crm', arguments: {} }] },
					{ content: 'Sorry, our CRM is not reachable right now.' },
				);
				const r = await callOk(s.A, 'send_message', { uuid: s.c1.uuid, message: 'Check my orders' });
				assert.equal(r.reply, 'Sorry, our CRM is not reachable right now.');
				assert.equal(r.function_calls[0].is_error, true);
				const tm = lastChat().body.messages.at(-1);
				assert.equal(tm.role, 'tool');
				assert.equal(tm.tool_call_id, 'call_boom');
				const told = JSON.parse(tm.content);
				assert.match(told.error, /status 500/);
				assert.match(told.instruction, /failed/);
				assert.ok(!tm.content.includes('Traceback') && !tm.content.includes('hunter2'));
			},
		},
		{
			name: 'bad tool arguments and unknown tools are reported back, not run',
			async fn() {
				s.ms.script(
					{ tool_calls: [{ id: 'c1', name: 'crm_lookup', arguments: '{not json' }, { id: 'c2', name: 'no_such_tool', arguments: {} }] },
					{ content: 'Let me try that differently.' },
				);
				const before = s.crm.seen.length;
				const r = await callOk(s.A, 'send_message', { uuid: s.c1.uuid, message: 'again' });
				assert.equal(s.crm.seen.length, before);
				assert.equal(r.function_calls.length, 2);
				assert.ok(r.function_calls.every((f) => f.is_error));
				const msgs = lastChat().body.messages;
				assert.match(msgs.at(-2).content, /not a valid JSON object/);
				assert.match(msgs.at(-1).content, /no such tool/);
			},
		},
		{
			name: 'tool-round bound: after 3 rounds the model must answer without tools',
			async fn() {
				const c = await conv(s.quiet);
				assert.deepEqual(c.history, []);
				const round = (i) => ({ tool_calls: [{ id: `r${i}`, name: 'is_office_open', arguments: {} }] });
				s.ms.script(round(1), round(2), round(3), { content: 'The office is open 24 hours today.' });
				const n0 = s.ms.chatRequests().length;
				const r = await callOk(s.A, 'send_message', { uuid: c.uuid, message: 'Are you open?' });
				assert.equal(r.function_calls.length, 3);
				assert.equal(r.tool_rounds_exhausted, true);
				assert.equal(r.reply, 'The office is open 24 hours today.');
				const reqs = s.ms.chatRequests().slice(n0);
				assert.equal(reqs.length, 4);
				assert.deepEqual(reqs.slice(0, 3).map((q) => q.body.tool_choice), ['auto', 'auto', 'auto']);
				const last = reqs[3].body;
				assert.equal(last.tool_choice, 'none');
				assert.match(last.messages.at(-1).content, /limit of tool calls/);
				// end_call_tool false: no hangup_call offered
				assert.ok(!last.tools.some((t) => t.function.name === 'hangup_call'));
			},
		},
		{
			name: 'escalation: two failed tool calls in a row hand the caller to the fallback number',
			async fn() {
				const c = await conv(s.handoff);
				s.ms.script(
					{ tool_calls: [{ id: 'f1', name: 'broken_crm', arguments: {} }] },
					{ tool_calls: [{ id: 'f2', name: 'broken_crm', arguments: { retry: true } }] },
				);
				const n0 = s.ms.chatRequests().length;
				const r = await callOk(s.A, 'send_message', { uuid: c.uuid, message: 'Where is my parcel?' });
				assert.equal(s.ms.chatRequests().length - n0, 2, 'no third model request');
				assert.equal(r.escalated, true);
				assert.deepEqual(r.line_command, { action: 'transfer', destination: '+4930111222' });
				const names = r.function_calls.map((f) => f.name);
				assert.deepEqual(names, ['broken_crm', 'broken_crm', 'transfer_call']);
				assert.match(r.reply, /transferring you to a colleague/);
				// the handoff is in the decision log
				const log = await callOk(s.A, 'list_call_actions', { call_id: c.call_id });
				assert.ok(log.data.some((a) => a.tool === 'transfer_call' && a.arguments.destination_number === '+4930111222'));
				// the prompt told the model about the handoff number
				assert.match(s.ms.chatRequests()[n0].body.messages[0].content, /transfer_call with destination_number "\+4930111222"/);
			},
		},
		{
			name: 'the model server hangs: a clear timeout error, nothing stored, no canned reply',
			async fn() {
				const c = await conv(s.quiet);
				s.ms.script({ hang: true });
				const t0 = Date.now();
				const r = await callRaw(s.A, 'send_message', { uuid: c.uuid, message: 'Hello?' });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /did not answer within 1500 ms/);
				assert.match(r.structuredContent.message, /not kept/);
				assert.ok(Date.now() - t0 < 6000);
				const g = await callOk(s.A, 'get_conversation', { uuid: c.uuid });
				assert.deepEqual(g.history, []);
				s.cq = c;
			},
		},
		{
			name: 'garbage, a broken stream and a refusal from the model server are clear errors',
			async fn() {
				const cases = [
					[{ raw: '<html>502 Bad Gateway</html>' }, /not an OpenAI chat completion/],
					[{ raw: 'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: nonsense\n\n', contentType: 'text/event-stream' }, /broken stream.*not JSON/],
					[{ raw: 'data: {"choices":[{"delta":{"content":"Hello"}}]}\n\n', contentType: 'text/event-stream' }, /cut off/],
					[{ status: 400, body: JSON.stringify({ error: { message: 'context length exceeded' } }) }, /refused the request \(HTTP 400: context length exceeded\)/],
				];
				for (const [turn, re] of cases) {
					s.ms.script(turn);
					const r = await callRaw(s.A, 'send_message', { uuid: s.cq.uuid, message: 'Hello?' });
					assert.equal(r.isError, true, JSON.stringify(turn));
					assert.match(r.structuredContent.message, re);
				}
				assert.deepEqual((await callOk(s.A, 'get_conversation', { uuid: s.cq.uuid })).history, []);
			},
		},
		{
			name: 'HTTP 500 is retried (bounded), 429 honours Retry-After',
			async fn() {
				s.ms.script({ status: 500 }, { status: 500 });
				const n0 = s.ms.chatRequests().length;
				const r = await callRaw(s.A, 'send_message', { uuid: s.cq.uuid, message: 'Hello?' });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /HTTP 500 after 2 tries/);
				assert.equal(s.ms.chatRequests().length - n0, 2);
				s.ms.script({ status: 429, headers: { 'Retry-After': '1' } }, { content: 'Back again.', sse: false });
				const t0 = Date.now();
				const ok = await callOk(s.A, 'send_message', { uuid: s.cq.uuid, message: 'Hello?' });
				assert.equal(ok.reply, 'Back again.');
				assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');
			},
		},
		{
			name: 'hangup_call in a chat ends the conversation; later messages are refused',
			async fn() {
				const c = await conv(s.asst);
				s.ms.script({ content: 'Goodbye!', tool_calls: [{ name: 'hangup_call', arguments: {} }] });
				const r = await callOk(s.A, 'send_message', { uuid: c.uuid, message: 'Bye' });
				assert.equal(r.reply, 'Goodbye!');
				assert.deepEqual(r.line_command, { action: 'hangup' });
				assert.equal(r.status, 'ended');
				const again = await callRaw(s.A, 'send_message', { uuid: c.uuid, message: 'Wait' });
				assert.equal(again.isError, true);
				assert.match(again.structuredContent.message, /has ended/);
				const call = await callOk(s.A, 'get_call', { call_id: c.call_id });
				assert.equal(call.type, 'web');
				assert.equal(call.status, 'ended_by_assistant');
			},
		},
		{
			name: 'post-call extraction: structured output, a wrong type rejected and recorded, summary stored',
			async fn() {
				s.ms.onExtract = (req) => {
					s.extractReq = req.body;
					return { content: JSON.stringify({ summary: 'Erika wants a call back about a demo.', caller_name: 'Erika', budget: 'lots', callback_requested: true }) };
				};
				const c = await conv(s.extractor);
				s.ms.script({ content: 'Happy to help, Erika.' }, { content: 'Bye!', tool_calls: [{ name: 'hangup_call', arguments: {} }] });
				await callOk(s.A, 'send_message', { uuid: c.uuid, message: 'I am Erika, please call me back' });
				await callOk(s.A, 'send_message', { uuid: c.uuid, message: 'bye' });
				const call = await untilTrue(async () => {
					const x = await callOk(s.A, 'get_call', { call_id: c.call_id });
					return x.evaluation.length ? x : null;
				});
				const byName = Object.fromEntries(call.evaluation.map((e) => [e.name, e]));
				assert.equal(byName.caller_name.value, 'Erika');
				assert.equal(byName.caller_name.valid, true);
				assert.equal(byName.callback_requested.value, true);
				assert.equal(byName.budget.valid, false);
				assert.equal(byName.budget.value, null);
				assert.match(byName.budget.error, /expected a number/);
				const rf = s.extractReq.response_format;
				assert.equal(rf.type, 'json_schema');
				assert.deepEqual(rf.json_schema.schema.properties.budget.type, ['number', 'null']);
				assert.deepEqual(rf.json_schema.schema.properties.callback_requested.type, ['boolean', 'null']);
				assert.match(s.extractReq.messages[1].content, /Customer: I am Erika, please call me back/);
				const g = await untilTrue(async () => {
					const x = await callOk(s.A, 'get_conversation', { uuid: c.uuid });
					return x.summary ? x : null;
				});
				assert.equal(g.summary, 'Erika wants a call back about a demo.');
				assert.equal(g.status, 'ended');
			},
		},
		{
			name: 'post-call extraction falls back to a JSON instruction when structured output is refused',
			async fn() {
				const seen = [];
				s.ms.onExtract = (req) => {
					seen.push(req.body);
					if (req.body.response_format)
						return { status: 400, body: JSON.stringify({ error: { message: 'response_format is not supported' } }) };
					return { content: 'Here you go:\n```json\n{"summary": "Short.", "caller_name": null, "budget": 1200, "callback_requested": "yes"}\n```' };
				};
				const c = await conv(s.extractor);
				s.ms.script({ content: 'Bye.', tool_calls: [{ name: 'hangup_call', arguments: {} }] });
				await callOk(s.A, 'send_message', { uuid: c.uuid, message: 'budget is 1200, bye' });
				const call = await untilTrue(async () => {
					const x = await callOk(s.A, 'get_call', { call_id: c.call_id });
					return x.evaluation.length ? x : null;
				});
				assert.equal(seen.length, 2);
				assert.ok(!seen[1].response_format);
				assert.match(seen[1].messages.at(-1).content, /JSON object only/);
				const byName = Object.fromEntries(call.evaluation.map((e) => [e.name, e]));
				assert.equal(byName.budget.value, 1200);
				assert.equal(byName.callback_requested.valid, false);
				assert.match(byName.callback_requested.error, /expected a boolean/);
				assert.equal(byName.caller_name.value, null);
				s.ms.onExtract = null;
			},
		},
		{
			name: 'widget conversations: spend scope and confirmation, $0.01 per message, refused at an empty balance',
			async fn() {
				const denied = await callRaw(s.Wnospend, 'create_conversation', { assistant_id: s.widgetAsst, type: 'widget' });
				assert.equal(denied.isError, true);
				assert.equal(denied.structuredContent.required_scope, 'spend');
				const first = await callOk(s.W, 'create_conversation', { assistant_id: s.widgetAsst, type: 'widget' });
				assert.equal(first.status, 'confirmation_required');
				assert.equal(first.preview.estimated_cost, '0.01');
				const c = await callOk(s.W, 'create_conversation', { assistant_id: s.widgetAsst, type: 'widget', confirmation_token: first.confirmation_token });
				assert.equal(c.type, 'widget');
				// a test conversation needs neither spend nor confirmation
				const t = await callOk(s.Wnospend, 'create_conversation', { assistant_id: s.widgetAsst });
				s.ms.script({ content: 'Free answer.' });
				await callOk(s.Wnospend, 'send_message', { uuid: t.uuid, message: 'free?' });
				assert.equal(Number((await callOk(s.W, 'get_me')).balance), 0.025);
				s.ms.script({ content: 'One.' }, { content: 'Two.' });
				const m1 = await callOk(s.W, 'send_message', { uuid: c.uuid, message: 'first' });
				assert.equal(m1.message_cost, '0.01');
				await callOk(s.W, 'send_message', { uuid: c.uuid, message: 'second' });
				assert.ok(Math.abs(Number((await callOk(s.W, 'get_me')).balance) - 0.005) < 1e-9);
				const n0 = s.ms.chatRequests().length;
				const broke = await callRaw(s.W, 'send_message', { uuid: c.uuid, message: 'third' });
				assert.equal(broke.isError, true);
				assert.match(broke.structuredContent.message, /balance/i);
				assert.equal(s.ms.chatRequests().length, n0, 'the model was not asked');
				const g = await callOk(s.W, 'get_conversation', { uuid: c.uuid });
				assert.equal(g.cost, '0.02');
				assert.equal(g.history.length, 4);
			},
		},
		{
			name: 'a failed widget turn is not charged',
			async fn() {
				const c = await callOk(s.A, 'create_conversation', { assistant_id: s.quiet, type: 'widget',
					confirmation_token: (await callOk(s.A, 'create_conversation', { assistant_id: s.quiet, type: 'widget' })).confirmation_token });
				const before = Number((await callOk(s.A, 'get_me')).balance);
				s.ms.script({ status: 400 });
				const r = await callRaw(s.A, 'send_message', { uuid: c.uuid, message: 'hi' });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /not kept and not charged/);
				assert.equal(Number((await callOk(s.A, 'get_me')).balance), before);
			},
		},
		{
			name: 'two accounts are isolated: conversations and assistants of A are invisible to B',
			async fn() {
				expectInvalid(await callRaw(s.B, 'get_conversation', { uuid: s.c1.uuid }), 'uuid');
				expectInvalid(await callRaw(s.B, 'send_message', { uuid: s.c1.uuid, message: 'hi' }), 'uuid');
				expectInvalid(await callRaw(s.B, 'create_conversation', { assistant_id: s.asst }), 'assistant_id');
				expectInvalid(await callRaw(s.A, 'get_conversation', { uuid: '00000000-0000-4000-8000-000000000000' }), 'uuid');
				expectInvalid(await callRaw(s.A, 'send_message', { uuid: s.c1.uuid, message: 'x'.repeat(2001) }), 'message');
				expectInvalid(await callRaw(s.A, 'send_message', { uuid: 'not-a-uuid', message: 'x' }), 'uuid');
			},
		},
		{
			name: 'an assistant whose model is not served gets a clear message',
			async fn() {
				const a = (await callOk(s.A, 'create_assistant', { assistant_name: 'Hosted', calls_direction: 'receive', llm_model: 'gpt-4o' })).data.id;
				const r = await callRaw(s.A, 'create_conversation', { assistant_id: a });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /model 'gpt-4o' is not configured on this server/);
				assert.match(r.structuredContent.message, /SWITCHBOARD_LLM_URL/);
			},
		},
		{
			name: 'conversations end after the configured inactivity and are summarised',
			timeout: 25000,
			async fn(ctx) {
				const srv = await s.sb.startServer([], { ...BASE_ENV(), SWITCHBOARD_CONVERSATION_IDLE_S: '1' });
				const { client } = await ctx.httpClient(srv, { Authorization: `Bearer ${await s.sb.key(s.accA)}` });
				const c = await callOk(client, 'create_conversation', { assistant_id: s.quiet });
				s.ms.script({ content: 'Hi.' });
				await callOk(client, 'send_message', { uuid: c.uuid, message: 'hello' });
				const g = await untilTrue(async () => {
					const x = await callOk(client, 'get_conversation', { uuid: c.uuid });
					return x.status === 'ended' && x.summary ? x : null;
				}, 10000);
				assert.match(g.end_reason, /no message for 1 seconds/);
				assert.equal(g.summary, 'A short test chat.');
				const call = await callOk(client, 'get_call', { call_id: c.call_id });
				assert.equal(call.status, 'completed');
			},
		},
		{
			name: 'no model configured: conversations fail saying how to configure one',
			async fn(ctx) {
				const sb = await ctx.sandbox();
				const acc = await sb.account('Nomodel');
				const srv = await sb.startServer([], {});
				const { client } = await ctx.httpClient(srv, { Authorization: `Bearer ${await sb.key(acc)}` });
				const a = (await callOk(client, 'create_assistant', { assistant_name: 'X', calls_direction: 'receive' })).data.id;
				const r = await callRaw(client, 'create_conversation', { assistant_id: a });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /no language model is configured/);
				assert.match(r.structuredContent.message, /SWITCHBOARD_LLM_URL/);
				const m = await callOk(client, 'get_models');
				assert.ok(m.data.every((x) => x.usable === false));
				assert.match(m.message, /SWITCHBOARD_LLM_URL/);
			},
		},
	],
});
