// test_control_midcall.mjs - mid-call tool definitions: create with defaults,
// every field's range and pattern, header values sealed at rest (never in
// the database file, never in an answer), partial updates where headers and
// schema replace the whole list, attaching to assistants with tool_ids,
// delete, and cross-account isolation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { callOk, callRaw, defineSuite, expectInvalid, listAllTools, noteListed, sleep } from './lib.mjs';

const s = {};
const SECRET = 'Bearer sk-live-9f8e7d6c5b4a';

/* Wait out the audit writer's batch (<= 100 ms), then scan the files. */
async function dbContains(text) {
	await sleep(400);
	const dir = path.dirname(s.sb.db);
	return fs.readdirSync(dir).filter((f) => f.startsWith('switchboard.db'))
		.some((f) => fs.readFileSync(path.join(dir, f)).includes(Buffer.from(text)));
}

export default defineSuite({
	name: 'control-midcall',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.accA = await s.sb.account('Mid A');
		s.accB = await s.sb.account('Mid B');
		s.server = await s.sb.startServer();
		const open = async (acc) => {
			const { client } = await ctx.httpClient(s.server, { Authorization: `Bearer ${await s.sb.key(acc, 'read,write')}` });
			noteListed(await listAllTools(client));
			return client;
		};
		s.A = await open(s.accA);
		s.B = await open(s.accB);
	},
	tests: [
		{
			name: 'create_mid_call_tool: defaults, header values redacted in the answer',
			async fn() {
				const r = await callOk(s.A, 'create_mid_call_tool', {
					name: 'book_appointment', description: 'Books a slot when the caller agrees on a time',
					endpoint: 'https://api.example.com/book?date={date}',
					headers: [{ name: 'Authorization', value: SECRET }, { name: 'X-Tenant', value: 'acme' }],
					schema: [{ name: 'date', type: 'string', description: 'YYYY-MM-DD', required: true }, { name: 'party', type: 'number' }],
				});
				assert.equal(r.message, 'Tool created successfully');
				const t = r.data;
				s.tool = t.id;
				assert.equal(t.method, 'POST');
				assert.equal(t.timeout, 10);
				assert.deepEqual(t.headers, [{ name: 'Authorization', value: '[redacted]' }, { name: 'X-Tenant', value: '[redacted]' }]);
				assert.equal(t.schema.length, 2);
				assert.deepEqual(t.assistant_ids, []);
				assert.ok(!JSON.stringify(r).includes('sk-live'));
			},
		},
		{
			name: 'header values are sealed at rest: neither the store nor the audit trail holds them in clear',
			async fn() {
				assert.equal(await dbContains('sk-live-9f8e7d6c5b4a'), false, 'a header value is in the database file (store or audit trail)');
				assert.equal(await dbContains('book_appointment'), true);   // the check can see rows at all
				const st = fs.statSync(path.join(path.dirname(s.sb.db), 'secret.key'));
				assert.equal(st.mode & 0o777, 0o600);
			},
		},
		{
			name: 'get / list: redacted everywhere',
			async fn() {
				const g = await callOk(s.A, 'get_mid_call_tool', { id: s.tool });
				assert.equal(g.data.name, 'book_appointment');
				assert.ok(g.data.headers.every((h) => h.value === '[redacted]'));
				const l = await callOk(s.A, 'list_mid_call_tools');
				assert.equal(l.data.length, 1);
				assert.ok(!JSON.stringify(l).includes('sk-live'));
				expectInvalid(await callRaw(s.A, 'get_mid_call_tool', { id: 999999 }), 'id');
			},
		},
		{
			name: 'create_mid_call_tool: every range and pattern',
			async fn() {
				const base = { name: 'ok_name', description: 'd', endpoint: 'https://x.example/a' };
				const bad = [
					[{ name: 'Bad' }, 'name'], [{ name: 'a' }, 'name'], [{ name: 'a'.repeat(33) }, 'name'],
					[{ name: '1abc' }, 'name'], [{ name: 'has-dash' }, 'name'],
					[{ description: 'x'.repeat(256) }, 'description'],
					[{ endpoint: 'not a url' }, 'endpoint'], [{ endpoint: 'ftp://x.example/a' }, 'endpoint'],
					[{ method: 'HEAD' }, 'method'], [{ timeout: 0 }, 'timeout'], [{ timeout: 31 }, 'timeout'],
					[{ headers: [{ name: 'X' }] }, 'headers'], [{ headers: [{ name: 'Bad Header', value: 'v' }] }, 'headers'],
					[{ headers: [{ name: 'X', value: 'a\r\nInjected: 1' }] }, 'headers'],
					[{ schema: [{ name: 'p', type: 'date' }] }, 'schema'], [{ schema: [{ type: 'string' }] }, 'schema'],
					[{ extra: true }, 'extra'],
				];
				for (const [patch, field] of bad)
					expectInvalid(await callRaw(s.A, 'create_mid_call_tool', { ...base, ...patch }), field);
				expectInvalid(await callRaw(s.A, 'create_mid_call_tool', { name: 'x_y', endpoint: 'https://x.example' }), 'description');
				const dup = await callRaw(s.A, 'create_mid_call_tool', { ...base, name: 'book_appointment' });
				expectInvalid(dup, 'name');
				const t = await callOk(s.A, 'create_mid_call_tool', { ...base, method: 'GET', timeout: 30 });
				assert.equal(t.data.timeout, 30);
				s.tool2 = t.data.id;
			},
		},
		{
			name: 'header values with a control character (VT, US, DEL, ...) are refused at create and update, naming the header; HTAB is fine',
			async fn() {
				const base = { name: 'ctl_hdr', description: 'd', endpoint: 'https://x.example/a' };
				for (const bad of ['a\u000bb', 'x\u001f', '\u007f', 'a\u0001', 'tab\tthen\u000c']) {
					const r = await callRaw(s.A, 'create_mid_call_tool', { ...base,
						headers: [{ name: 'X-Fine', value: 'ok' }, { name: 'X-Tenant', value: bad }] });
					const msgs = expectInvalid(r, 'headers');
					assert.match(msgs.join(' '), /header 'X-Tenant'.*control character/, JSON.stringify(r.structuredContent));
					assert.ok(!JSON.stringify(r).includes(bad), 'the header value was echoed');
				}
				assert.equal((await callOk(s.A, 'list_mid_call_tools')).data.some((t) => t.name === 'ctl_hdr'), false);
				const t = await callOk(s.A, 'create_mid_call_tool', { ...base, headers: [{ name: 'X-Tab', value: 'a\tb' }] });
				const u = await callRaw(s.A, 'update_mid_call_tool', { id: t.data.id, headers: [{ name: 'X-Vt', value: 'v\u000b' }] });
				assert.match(expectInvalid(u, 'headers').join(' '), /header 'X-Vt'/);
				await callOk(s.A, 'delete_mid_call_tool', { id: t.data.id });
			},
		},
		{
			name: 'update_mid_call_tool: only given fields change; headers and schema replace the list',
			async fn() {
				const u = await callOk(s.A, 'update_mid_call_tool', { id: s.tool, timeout: 5, method: 'PUT' });
				assert.equal(u.message, 'Tool updated successfully');
				assert.equal(u.data.timeout, 5);
				assert.equal(u.data.method, 'PUT');
				assert.equal(u.data.headers.length, 2);
				assert.equal(u.data.schema.length, 2);
				assert.equal(u.data.endpoint, 'https://api.example.com/book?date={date}');
				const h = await callOk(s.A, 'update_mid_call_tool', { id: s.tool, headers: [{ name: 'X-Key', value: 'other-secret-value' }], schema: [] });
				assert.deepEqual(h.data.headers, [{ name: 'X-Key', value: '[redacted]' }]);
				assert.deepEqual(h.data.schema, []);
				assert.equal(await dbContains('other-secret-value'), false);
				expectInvalid(await callRaw(s.A, 'update_mid_call_tool', { id: s.tool, name: 'ok_name' }), 'name');
				expectInvalid(await callRaw(s.A, 'update_mid_call_tool', { id: s.tool, timeout: 31 }), 'timeout');
				expectInvalid(await callRaw(s.A, 'update_mid_call_tool', { id: 999999, timeout: 3 }), 'id');
				expectInvalid(await callRaw(s.A, 'update_mid_call_tool', { timeout: 3 }), 'id');
			},
		},
		{
			name: 'tool_ids attach the tools to an assistant; another account\'s tool is refused',
			async fn() {
				const a = await callOk(s.A, 'create_assistant', { assistant_name: 'With tools', calls_direction: 'receive', tool_ids: [s.tool, s.tool2] });
				s.asst = a.data.id;
				assert.deepEqual(a.data.tool_ids, [s.tool, s.tool2].sort((x, y) => x - y));
				const g = await callOk(s.A, 'get_mid_call_tool', { id: s.tool });
				assert.deepEqual(g.data.assistant_ids, [s.asst]);
				const b = await callRaw(s.B, 'create_assistant', { assistant_name: 'Thief', calls_direction: 'receive', tool_ids: [s.tool] });
				expectInvalid(b, 'tool_ids');
			},
		},
		{
			name: 'isolation: account B cannot get, update or delete A\'s tools',
			async fn() {
				assert.deepEqual((await callOk(s.B, 'list_mid_call_tools')).data, []);
				expectInvalid(await callRaw(s.B, 'get_mid_call_tool', { id: s.tool }), 'id');
				expectInvalid(await callRaw(s.B, 'update_mid_call_tool', { id: s.tool, timeout: 3 }), 'id');
				expectInvalid(await callRaw(s.B, 'delete_mid_call_tool', { id: s.tool }), 'id');
				assert.equal((await callOk(s.A, 'get_mid_call_tool', { id: s.tool })).data.timeout, 5);
				// the same name in another account is fine
				await callOk(s.B, 'create_mid_call_tool', { name: 'book_appointment', description: 'B', endpoint: 'http://b.example/x' });
			},
		},
		{
			name: 'delete_mid_call_tool detaches it from assistants',
			async fn() {
				const d = await callOk(s.A, 'delete_mid_call_tool', { id: s.tool });
				assert.equal(d.message, 'Tool deleted successfully');
				assert.equal(d.data.id, s.tool);
				expectInvalid(await callRaw(s.A, 'delete_mid_call_tool', { id: s.tool }), 'id');
				const a = await callOk(s.A, 'get_assistant', { id: s.asst });
				assert.deepEqual(a.data.tool_ids, [s.tool2]);
			},
		},
	],
});
