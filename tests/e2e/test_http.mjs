// test_http.mjs - the control plane over Streamable HTTP with the official
// SDK client: lifecycle, tools/list, every tool's success path, validation
// failures, scopes, resources, prompts, completion, ping, logging, DELETE.
import assert from 'node:assert/strict';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
	BIN, callOk, callRaw, coverage, defineSuite, expectInvalid, listAllTools, noteListed, rawPost, run,
} from './lib.mjs';

const CONTROL_TOOLS = [
	'get_models', 'get_voices', 'get_languages', 'get_phone_numbers', 'get_me',
	'get_assistants', 'get_assistant', 'create_assistant', 'update_assistant', 'delete_assistant',
];
const READ_TOOLS = CONTROL_TOOLS.filter((t) => t.startsWith('get_'));

const s = {};   // state shared by the tests, in order

async function rpcError(promise, code) {
	try {
		await promise;
	} catch (e) {
		assert.ok(e instanceof McpError, `expected McpError, got ${e}`);
		assert.equal(e.code, code, `error code ${e.code} (${e.message})`);
		return e;
	}
	throw new Error(`expected a JSON-RPC error ${code}, got a result`);
}

export default defineSuite({
	name: 'http',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.account = await s.sb.account('Acme Dental');
		s.key = await s.sb.key(s.account, 'read,write');
		s.roKey = await s.sb.key(s.account, 'read');
		s.server = await s.sb.startServer();
		({ client: s.client, transport: s.transport } =
			await ctx.httpClient(s.server, { Authorization: `Bearer ${s.key}` }));
		s.ctx = ctx;
	},
	tests: [
		{
			name: 'initialize: server info, capabilities, instructions, session',
			async fn() {
				const info = s.client.getServerVersion();
				const v = (await run(BIN, ['version'])).stdout.trim();
				assert.equal(info.name, 'switchboard');
				assert.equal(info.version, v);
				assert.equal(typeof info.title, 'string');
				const caps = s.client.getServerCapabilities();
				for (const c of ['tools', 'resources', 'prompts', 'logging', 'completions'])
					assert.ok(caps[c], `capability ${c} missing: ${JSON.stringify(caps)}`);
				const ins = s.client.getInstructions();
				assert.ok(typeof ins === 'string' && /assistant/i.test(ins), `instructions: ${ins}`);
				assert.match(s.transport.sessionId ?? '', /^[\x21-\x7e]{16,}$/);
				assert.equal(s.transport.protocolVersion, '2025-11-25');
			},
		},
		{
			name: 'tools/list: the control-plane tools with schemas and annotations',
			async fn() {
				const tools = await listAllTools(s.client);
				noteListed(tools);
				const names = tools.map((t) => t.name);
				for (const n of CONTROL_TOOLS)
					assert.ok(names.includes(n), `${n} not listed: ${names}`);
				assert.equal(new Set(names).size, names.length, 'a tool is listed twice');
				assert.ok(!names.some((n) => n.startsWith('test_')), `conformance fixtures listed: ${names}`);
				for (const t of tools) {
					assert.ok(t.description, `${t.name}: no description`);
					assert.equal(t.inputSchema.type, 'object', `${t.name}: inputSchema`);
					assert.equal(t.outputSchema?.type, 'object', `${t.name}: outputSchema`);
					assert.equal(t.annotations?.title, t.title, `${t.name}: annotations.title`);
				}
				const by = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
				for (const n of READ_TOOLS) {
					assert.equal(by[n].readOnlyHint, true, `${n} readOnlyHint`);
					assert.equal(by[n].destructiveHint, false, `${n} destructiveHint`);
				}
				for (const n of ['create_assistant', 'update_assistant', 'delete_assistant'])
					assert.equal(by[n].readOnlyHint, false, `${n} readOnlyHint`);
				assert.equal(by.delete_assistant.destructiveHint, true);
				assert.equal(by.create_assistant.destructiveHint, false);
				assert.equal(by.update_assistant.idempotentHint, true);
			},
		},
		{
			name: 'X-API-Key header authenticates a second client',
			async fn(ctx) {
				const { client } = await ctx.httpClient(s.server, { 'X-API-Key': s.key });
				const me = await callOk(client, 'get_me');
				assert.equal(me.id, s.account);
			},
		},
		{
			name: 'get_models lists models',
			async fn() {
				const { data } = await callOk(s.client, 'get_models');
				assert.ok(data.length >= 1);
				assert.equal(new Set(data.map((m) => m.id)).size, data.length, 'ids unique');
				assert.ok(data.every((m) => typeof m.name === 'string' && m.name));
				s.model = data[0].name;
			},
		},
		{
			name: 'get_voices without and with mode',
			async fn() {
				const all = (await callOk(s.client, 'get_voices')).data;
				const pipe = (await callOk(s.client, 'get_voices', { mode: 'pipeline' })).data;
				const multi = (await callOk(s.client, 'get_voices', { mode: 'multimodal' })).data;
				assert.ok(all.length >= 2);
				assert.ok(pipe.length >= 1 && pipe.length < all.length, `pipeline ${pipe.length} of ${all.length}`);
				assert.ok(multi.length >= 1 && multi.length < all.length, `multimodal ${multi.length} of ${all.length}`);
				assert.ok(pipe.every((v) => v.mode !== 'multimodal'), 'pipeline list holds a multimodal voice');
				assert.ok(multi.every((v) => v.mode !== 'pipeline'), 'multimodal list holds a pipeline voice');
				const ids = new Set([...pipe, ...multi].map((v) => v.id));
				assert.equal(ids.size, all.length, 'every voice is usable in some mode');
				s.voice = pipe[0].id;
			},
		},
		{
			name: 'get_languages lists languages with ISO codes',
			async fn() {
				const { data } = await callOk(s.client, 'get_languages');
				assert.ok(data.some((l) => l.iso_2 === 'de' && l.name === 'German'));
				assert.ok(data.every((l) => /^[a-z]{2}$/.test(l.iso_2)));
			},
		},
		{
			name: 'get_phone_numbers with and without type (new account: none)',
			async fn() {
				assert.deepEqual((await callOk(s.client, 'get_phone_numbers')).data, []);
				assert.deepEqual((await callOk(s.client, 'get_phone_numbers', { type: 'inbound' })).data, []);
				assert.deepEqual((await callOk(s.client, 'get_phone_numbers', { type: 'outbound' })).data, []);
			},
		},
		{
			name: 'get_me shows the account behind the key',
			async fn() {
				const me = await callOk(s.client, 'get_me');
				assert.equal(me.id, s.account);
				assert.equal(me.name, 'Acme Dental');
				assert.equal(typeof me.balance, 'string');
				assert.equal(typeof me.usage_this_month, 'object');
			},
		},
		{
			name: 'create_assistant with the required fields only',
			async fn() {
				const r = await callOk(s.client, 'create_assistant',
					{ assistant_name: 'Reception', calls_direction: 'receive' });
				assert.match(r.message, /created/i);
				assert.ok(Number.isInteger(r.data.id) && r.data.id > 0);
				assert.equal(r.data.assistant_name, 'Reception');
				assert.equal(r.data.calls_direction, 'receive');
				assert.equal(r.data.engine_type, 'pipeline', 'default engine_type');
				s.a1 = r.data.id;
			},
		},
		{
			name: 'create_assistant and update_assistant take the name as name too; one of the two is required',
			async fn() {
				const r = await callOk(s.client, 'create_assistant', { name: 'Short name', calls_direction: 'receive' });
				assert.equal(r.data.assistant_name, 'Short name');
				const same = await callOk(s.client, 'create_assistant',
					{ name: 'Both', assistant_name: 'Both', calls_direction: 'receive' });
				assert.equal(same.data.assistant_name, 'Both');
				expectInvalid(await callRaw(s.client, 'create_assistant',
					{ name: 'One', assistant_name: 'Two', calls_direction: 'receive' }), 'name');
				expectInvalid(await callRaw(s.client, 'create_assistant', { calls_direction: 'receive' }), 'assistant_name');
				const u = await callOk(s.client, 'update_assistant', { id: r.data.id, name: 'Renamed' });
				assert.equal(u.data.assistant_name, 'Renamed');
				for (const id of [r.data.id, same.data.id])
					await callOk(s.client, 'delete_assistant', { id });
			},
		},
		{
			name: 'create_assistant with many settings echoes them',
			async fn() {
				const args = {
					assistant_name: 'Sales caller', calls_direction: 'make', engine_type: 'pipeline',
					voice_id: s.voice, language: 'German', llm_model: s.model, timezone: 'Europe/Berlin',
					initial_message: 'Hallo!', system_prompt: 'Be brief.',
					webhook_url: 'https://hooks.example.com/calls', is_webhook_active: true,
					speech_speed: 0.9, llm_temperature: 0.2, max_call_duration: 300,
					max_silence_duration: 15, re_engagement_interval: 20, min_interrupt_words: 3,
					who_speaks_first: 'Customer', record_call: true,
					variables: { clinic: 'Acme', slots: 3, open: true },
					post_call_schema: [{ name: 'booked', type: 'bool', description: 'was a slot booked' }],
				};
				const r = await callOk(s.client, 'create_assistant', args);
				for (const [k, v] of Object.entries(args))
					assert.deepEqual(r.data[k], v, `field ${k}`);
				s.a2 = r.data.id;
				s.a2args = args;
			},
		},
		{
			name: 'get_assistant returns every setting',
			async fn() {
				const { data } = await callOk(s.client, 'get_assistant', { id: s.a2 });
				assert.equal(data.id, s.a2);
				for (const [k, v] of Object.entries(s.a2args))
					assert.deepEqual(data[k], v, `field ${k}`);
			},
		},
		{
			name: 'get_assistants: Laravel page object, paging and defaults',
			async fn() {
				await callOk(s.client, 'create_assistant', { assistant_name: 'Third', calls_direction: 'receive' });
				const def = await callOk(s.client, 'get_assistants');
				for (const k of ['current_page', 'data', 'first_page_url', 'from', 'last_page', 'last_page_url',
					'links', 'next_page_url', 'path', 'per_page', 'prev_page_url', 'to', 'total'])
					assert.ok(k in def, `page object lacks '${k}'`);
				assert.equal(def.current_page, 1);
				assert.equal(def.per_page, 10);
				assert.equal(def.total, 3);
				assert.equal(def.data.length, 3);
				assert.equal(def.last_page, 1);
				assert.equal(def.next_page_url, null);
				assert.equal(def.prev_page_url, null);

				const p1 = await callOk(s.client, 'get_assistants', { page: 1, per_page: 2 });
				assert.equal(p1.data.length, 2);
				assert.equal(p1.last_page, 2);
				assert.equal(p1.from, 1);
				assert.equal(p1.to, 2);
				assert.match(p1.next_page_url, /page=2$/);
				assert.equal(p1.prev_page_url, null);
				assert.match(p1.first_page_url, /page=1$/);
				assert.match(p1.last_page_url, /page=2$/);
				assert.ok(Array.isArray(p1.links) && p1.links.some((l) => l.active && l.label === '1'));

				const p2 = await callOk(s.client, 'get_assistants', { page: 2, per_page: 2 });
				assert.equal(p2.current_page, 2);
				assert.equal(p2.data.length, 1);
				assert.equal(p2.from, 3);
				assert.equal(p2.to, 3);
				assert.equal(p2.next_page_url, null);
				assert.match(p2.prev_page_url, /page=1$/);
				const ids = [...p1.data, ...p2.data].map((a) => a.id);
				assert.equal(new Set(ids).size, 3, 'pages overlap');

				const past = await callOk(s.client, 'get_assistants', { page: 9, per_page: 2 });
				assert.deepEqual(past.data, []);
				assert.equal(past.from, null);
				assert.equal(past.to, null);
				assert.equal(past.total, 3);

				const big = await callOk(s.client, 'get_assistants', { per_page: 100 });
				assert.equal(big.per_page, 100);
			},
		},
		{
			name: 'update_assistant changes only the given fields',
			async fn() {
				const r = await callOk(s.client, 'update_assistant', { id: s.a2, assistant_name: 'Sales v2', speech_speed: 1.1 });
				assert.match(r.message, /updated/i);
				assert.equal(r.data.assistant_name, 'Sales v2');
				assert.equal(r.data.speech_speed, 1.1);
				const { data } = await callOk(s.client, 'get_assistant', { id: s.a2 });
				assert.equal(data.assistant_name, 'Sales v2');
				for (const [k, v] of Object.entries(s.a2args))
					if (k !== 'assistant_name' && k !== 'speech_speed')
						assert.deepEqual(data[k], v, `field ${k} changed`);
			},
		},
		{
			name: 'update_assistant with webhook_url null clears it',
			async fn() {
				const r = await callOk(s.client, 'update_assistant', { id: s.a2, webhook_url: null });
				assert.equal(r.data.webhook_url, null);
				const { data } = await callOk(s.client, 'get_assistant', { id: s.a2 });
				assert.equal(data.webhook_url, null);
				assert.equal(data.system_prompt, 'Be brief.', 'other fields kept');
			},
		},
		{
			name: 'delete_assistant deletes; reading it afterwards answers not found',
			async fn() {
				const before = (await callOk(s.client, 'get_assistants')).total;
				const r = await callOk(s.client, 'delete_assistant', { id: s.a1 });
				assert.match(r.message, /deleted/i);
				assert.equal(r.data.id, s.a1);
				expectInvalid(await callRaw(s.client, 'get_assistant', { id: s.a1 }), 'id');
				expectInvalid(await callRaw(s.client, 'delete_assistant', { id: s.a1 }), 'id');
				expectInvalid(await callRaw(s.client, 'update_assistant', { id: s.a1, assistant_name: 'x' }), 'id');
				assert.equal((await callOk(s.client, 'get_assistants')).total, before - 1);
			},
		},
		{
			name: 'validation: wrong types name the field',
			async fn() {
				expectInvalid(await callRaw(s.client, 'get_assistants', { page: '2' }), 'page');
				expectInvalid(await callRaw(s.client, 'get_assistant', { id: 'one' }), 'id');
				expectInvalid(await callRaw(s.client, 'create_assistant',
					{ assistant_name: 42, calls_direction: 'receive' }), 'assistant_name');
				expectInvalid(await callRaw(s.client, 'update_assistant', { id: s.a2, record_call: 'yes' }), 'record_call');
				expectInvalid(await callRaw(s.client, 'update_assistant', { id: s.a2, variables: [] }), 'variables');
			},
		},
		{
			name: 'validation: out of range names the field',
			async fn() {
				expectInvalid(await callRaw(s.client, 'get_assistants', { per_page: 500 }), 'per_page');
				expectInvalid(await callRaw(s.client, 'get_assistants', { per_page: 0 }), 'per_page');
				expectInvalid(await callRaw(s.client, 'get_assistants', { page: 0 }), 'page');
				expectInvalid(await callRaw(s.client, 'get_assistant', { id: 0 }), 'id');
				expectInvalid(await callRaw(s.client, 'update_assistant', { id: s.a2, speech_speed: 2 }), 'speech_speed');
				expectInvalid(await callRaw(s.client, 'update_assistant', { id: s.a2, max_call_duration: 5 }), 'max_call_duration');
				expectInvalid(await callRaw(s.client, 'update_assistant', { id: s.a2, assistant_name: '' }), 'assistant_name');
				expectInvalid(await callRaw(s.client, 'update_assistant', { id: s.a2, system_prompt: 'x'.repeat(20001) }), 'system_prompt');
			},
		},
		{
			name: 'validation: unknown property, bad enum, bad uri, missing required',
			async fn() {
				expectInvalid(await callRaw(s.client, 'get_models', { foo: 1 }), 'foo');
				expectInvalid(await callRaw(s.client, 'get_assistants', { sort: 'name' }), 'sort');
				expectInvalid(await callRaw(s.client, 'get_voices', { mode: 'telepathy' }), 'mode');
				expectInvalid(await callRaw(s.client, 'get_phone_numbers', { type: 'sideways' }), 'type');
				expectInvalid(await callRaw(s.client, 'create_assistant',
					{ assistant_name: 'x', calls_direction: 'sideways' }), 'calls_direction');
				expectInvalid(await callRaw(s.client, 'create_assistant',
					{ assistant_name: 'x', calls_direction: 'make', webhook_url: 'not a url' }), 'webhook_url');
				expectInvalid(await callRaw(s.client, 'create_assistant', { calls_direction: 'make' }), 'assistant_name');
				expectInvalid(await callRaw(s.client, 'create_assistant', { assistant_name: 'x' }), 'calls_direction');
				expectInvalid(await callRaw(s.client, 'update_assistant', { assistant_name: 'x' }), 'id');
				expectInvalid(await callRaw(s.client, 'get_assistant', {}), 'id');
				expectInvalid(await callRaw(s.client, 'create_assistant', {
					assistant_name: 'x', calls_direction: 'make', post_call_schema: [{ name: '1bad', type: 'bool' }],
				}), 'post_call_schema');
				expectInvalid(await callRaw(s.client, 'create_assistant',
					{ assistant_name: 'x', calls_direction: 'make', voice_id: 99999 }), 'voice_id');
				assert.equal((await callOk(s.client, 'get_assistants')).total, 2, 'a failed create stored something');
			},
		},
		{
			name: 'SDK callTool returns a validation failure as an isError result',
			// The SDK client checks structuredContent against the tool's
			// outputSchema whenever it is present, error or not: an error
			// shape that breaks the schema turns into a thrown McpError.
			async fn() {
				let res;
				try {
					res = await s.client.callTool({ name: 'get_assistants', arguments: { per_page: 500 } });
				} catch (e) {
					throw new Error(`callTool threw instead of returning isError: ${e.message}`);
				}
				// either fix will do: error content that fits the schema, or no
				// structuredContent on errors (then the errors are in the text)
				if (!res.structuredContent && res.content?.[0]?.type === 'text')
					res = { ...res, structuredContent: JSON.parse(res.content[0].text) };
				expectInvalid(res, 'per_page');
			},
		},
		{
			name: 'create_assistant accepts a fractional endpoint_sensitivity (schema: number 0..5)',
			async fn() {
				const res = await callRaw(s.client, 'create_assistant', {
					assistant_name: 'Sensitive', calls_direction: 'receive',
					endpoint_sensitivity: 2.5, interrupt_sensitivity: 1.5,
				});
				assert.ok(!res.isError, `refused: ${JSON.stringify(res.structuredContent)}`);
				assert.equal(res.structuredContent.data.endpoint_sensitivity, 2.5);
				await callOk(s.client, 'delete_assistant', { id: res.structuredContent.data.id });
			},
		},
		{
			name: 'read-only key: reads work, create_assistant is denied naming the write scope',
			async fn(ctx) {
				const { client } = await ctx.httpClient(s.server, { Authorization: `Bearer ${s.roKey}` });
				const before = (await callOk(client, 'get_assistants')).total;
				for (const [name, args] of [
					['create_assistant', { assistant_name: 'Nope', calls_direction: 'receive' }],
					['update_assistant', { id: s.a2, assistant_name: 'Nope' }],
					['delete_assistant', { id: s.a2 }],
				]) {
					const res = await callRaw(client, name, args);
					assert.equal(res.isError, true, `${name} not denied`);
					assert.equal(res.structuredContent?.required_scope, 'write', `${name}: ${JSON.stringify(res.structuredContent)}`);
					assert.match(res.structuredContent.message, /'write'/);
					assert.match(res.content[0].text, /write/);
				}
				assert.equal((await callOk(client, 'get_assistants')).total, before);
				assert.equal((await callOk(s.client, 'get_assistant', { id: s.a2 })).data.assistant_name, 'Sales v2');
			},
		},
		{
			name: 'unknown tool is a JSON-RPC error -32602',
			async fn() {
				await rpcError(s.client.callTool({ name: 'no_such_tool', arguments: {} }), -32602);
			},
		},
		{
			name: 'resources: list, templates, read account and an assistant',
			async fn() {
				const { resources } = await s.client.listResources();
				assert.ok(resources.some((r) => r.uri === 'switchboard://account'), JSON.stringify(resources));
				const { resourceTemplates } = await s.client.listResourceTemplates();
				assert.ok(resourceTemplates.some((t) => t.uriTemplate === 'switchboard://assistants/{id}'));
				const acc = await s.client.readResource({ uri: 'switchboard://account' });
				assert.equal(acc.contents[0].uri, 'switchboard://account');
				assert.equal(acc.contents[0].mimeType, 'application/json');
				assert.equal(JSON.parse(acc.contents[0].text).id, s.account);
				const uri = `switchboard://assistants/${s.a2}`;
				const a = await s.client.readResource({ uri });
				assert.equal(a.contents[0].uri, uri);
				assert.equal(JSON.parse(a.contents[0].text).assistant_name, 'Sales v2');
				await rpcError(s.client.readResource({ uri: `switchboard://assistants/${s.a1}` }), -32002);
				await rpcError(s.client.readResource({ uri: 'switchboard://nothing' }), -32002);
			},
		},
		{
			name: 'prompts: list, get new_assistant, completion on language',
			async fn() {
				const { prompts } = await s.client.listPrompts();
				const p = prompts.find((x) => x.name === 'new_assistant');
				assert.ok(p, JSON.stringify(prompts));
				assert.ok(p.description);
				assert.deepEqual(p.arguments.map((a) => [a.name, a.required]), [['purpose', true], ['language', false]]);
				const g = await s.client.getPrompt({ name: 'new_assistant', arguments: { purpose: 'book dental appointments', language: 'German' } });
				assert.equal(g.messages[0].role, 'user');
				assert.match(g.messages[0].content.text, /book dental appointments/);
				assert.match(g.messages[0].content.text, /German/);
				await rpcError(s.client.getPrompt({ name: 'new_assistant', arguments: {} }), -32602);
				await rpcError(s.client.getPrompt({ name: 'no_such_prompt', arguments: {} }), -32602);
				const ref = { type: 'ref/prompt', name: 'new_assistant' };
				const c = await s.client.complete({ ref, argument: { name: 'language', value: 'Ge' } });
				assert.deepEqual(c.completion.values, ['German']);
				const all = await s.client.complete({ ref, argument: { name: 'language', value: '' } });
				assert.ok(all.completion.values.length >= 5 && all.completion.values.includes('English'));
				const none = await s.client.complete({ ref, argument: { name: 'purpose', value: 'x' } });
				assert.deepEqual(none.completion.values, []);
			},
		},
		{
			name: 'ping and logging/setLevel',
			async fn() {
				assert.deepEqual(await s.client.ping(), {});
				assert.deepEqual(await s.client.setLoggingLevel('debug'), {});
				assert.deepEqual(await s.client.setLoggingLevel('error'), {});
				await rpcError(s.client.setLoggingLevel('loud'), -32602);
			},
		},
		{
			name: 'terminateSession (DELETE) ends the session: its id then answers 404',
			async fn(ctx) {
				const { client, transport } = await ctx.httpClient(s.server, { Authorization: `Bearer ${s.key}` });
				await callOk(client, 'get_models');
				const sid = transport.sessionId;
				const h = { Authorization: `Bearer ${s.key}`, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' };
				assert.equal((await rawPost(s.server, { headers: h, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }) })).status, 200);
				await transport.terminateSession();
				assert.equal(transport.sessionId, undefined);
				const r = await rawPost(s.server, { headers: h, body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' }) });
				assert.equal(r.status, 404, r.text);
				const d = await rawPost(s.server, { method: 'DELETE', headers: h });
				assert.equal(d.status, 404, 'a second DELETE');
			},
		},
		{
			name: 'the main session still works after another session ended',
			async fn() {
				assert.deepEqual(await s.client.ping(), {});
				assert.ok(coverage.called.has('get_me'));
			},
		},
	],
});
