// test_accounts.mjs - accounts and keys end to end: isolation between two
// accounts, a session bound to its key, key revocation through the CLI, and
// the demo account (phone numbers to filter and assign).
import assert from 'node:assert/strict';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
	Sandbox, callOk, callRaw, defineSuite, expectInvalid, initBody, noteListed, rawPost, rawSession, sleep,
} from './lib.mjs';

const s = {};

export default defineSuite({
	name: 'accounts',
	async setup(ctx) {
		s.ctx = ctx;
		s.sb = await ctx.sandbox();
		s.accA = await s.sb.account('Alpha GmbH');
		s.accB = await s.sb.account('Beta Ltd');
		s.keyA = await s.sb.key(s.accA, 'read,write');
		s.keyB = await s.sb.key(s.accB, 'read,write');
		s.server = await s.sb.startServer();
		s.A = (await ctx.httpClient(s.server, { Authorization: `Bearer ${s.keyA}` })).client;
		s.B = (await ctx.httpClient(s.server, { Authorization: `Bearer ${s.keyB}` })).client;
		noteListed((await s.A.listTools()).tools);
		await s.B.listTools();
	},
	tests: [
		{
			name: 'CLI: account list and key list show what was created',
			async fn() {
				const accounts = JSON.parse((await s.sb.cli(['account', 'list'])).stdout);
				assert.deepEqual(accounts.map((a) => a.name).sort(), ['Alpha GmbH', 'Beta Ltd']);
				const keys = JSON.parse((await s.sb.cli(['key', 'list'])).stdout);
				const k = keys.find((x) => x.prefix === Sandbox.prefixOf(s.keyA));
				assert.ok(k, JSON.stringify(keys));
				assert.equal(k.account_id, s.accA);
				assert.equal(k.scopes, 'read,write');
				assert.equal(k.revoked_at, null);
				assert.ok(!JSON.stringify(keys).includes(s.keyA.slice(12)), 'key list shows the secret');
			},
		},
		{
			name: 'get_me answers for the key\'s own account',
			async fn() {
				assert.equal((await callOk(s.A, 'get_me')).id, s.accA);
				assert.equal((await callOk(s.B, 'get_me')).name, 'Beta Ltd');
			},
		},
		{
			name: 'get_me names the key\'s own creation time; key list shows when a key was last used',
			async fn() {
				// a second key of account A, made after the account
				const k2 = await s.sb.key(s.accA, 'read');
				const c2 = (await s.ctx.httpClient(s.server, { Authorization: `Bearer ${k2}` })).client;
				const keys = JSON.parse((await s.sb.cli(['key', 'list', '--account', String(s.accA)])).stdout);
				const row = keys.find((x) => x.prefix === Sandbox.prefixOf(k2));
				const acc = JSON.parse((await s.sb.cli(['account', 'list'])).stdout).find((a) => a.id === s.accA);
				const me = await callOk(c2, 'get_me');
				assert.equal(me.api_key.prefix, Sandbox.prefixOf(k2));
				assert.equal(me.api_key.created_at, row.created_at);
				assert.notEqual(me.api_key.created_at, acc.created_at, 'the account\'s time, not the key\'s');
				// the call above used the key: last_used_at is set, within the minute
				const after = JSON.parse((await s.sb.cli(['key', 'list', '--account', String(s.accA)])).stdout)
					.find((x) => x.prefix === Sandbox.prefixOf(k2));
				assert.ok(after.last_used_at, JSON.stringify(after));
				assert.ok(Math.abs(Date.parse(after.last_used_at) - Date.now()) < 60000, after.last_used_at);
			},
		},
		{
			name: 'account B cannot get, update or delete account A\'s assistant',
			async fn() {
				const made = await callOk(s.A, 'create_assistant', { assistant_name: 'Alpha front desk', calls_direction: 'receive' });
				s.idA = made.data.id;
				expectInvalid(await callRaw(s.B, 'get_assistant', { id: s.idA }), 'id');
				const up = await callRaw(s.B, 'update_assistant', { id: s.idA, assistant_name: 'hijacked' });
				expectInvalid(up, 'id');
				assert.match(JSON.stringify(up.structuredContent), /not found/);
				expectInvalid(await callRaw(s.B, 'delete_assistant', { id: s.idA }), 'id');
				const still = await callOk(s.A, 'get_assistant', { id: s.idA });
				assert.equal(still.data.assistant_name, 'Alpha front desk');
			},
		},
		{
			name: 'get_assistants totals differ per account',
			async fn() {
				await callOk(s.A, 'create_assistant', { assistant_name: 'Alpha two', calls_direction: 'make' });
				const a = await callOk(s.A, 'get_assistants');
				const b = await callOk(s.B, 'get_assistants');
				assert.equal(a.total, 2);
				assert.equal(b.total, 0);
				assert.deepEqual(b.data, []);
				const mine = await callOk(s.B, 'create_assistant', { assistant_name: 'Beta only', calls_direction: 'receive' });
				const b2 = await callOk(s.B, 'get_assistants');
				assert.deepEqual(b2.data.map((x) => x.id), [mine.data.id]);
				assert.equal((await callOk(s.A, 'get_assistants')).total, 2);
			},
		},
		{
			name: 'account B cannot read account A\'s assistant as a resource',
			async fn() {
				await assert.rejects(s.B.readResource({ uri: `switchboard://assistants/${s.idA}` }),
					(e) => e instanceof McpError && e.code === -32002);
				const acc = JSON.parse((await s.B.readResource({ uri: 'switchboard://account' })).contents[0].text);
				assert.equal(acc.id, s.accB);
			},
		},
		{
			name: 'a session made with key A answers 404 to key B',
			async fn() {
				const sid = await rawSession(s.server, s.keyA);
				const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
				const pv = { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' };
				const okA = await rawPost(s.server, { headers: { ...pv, Authorization: `Bearer ${s.keyA}` }, body });
				assert.equal(okA.status, 200, okA.text);
				const asB = await rawPost(s.server, { headers: { ...pv, Authorization: `Bearer ${s.keyB}` }, body });
				assert.equal(asB.status, 404, asB.text);
				assert.equal(asB.json?.error?.code, -32600);
				const delB = await rawPost(s.server, { method: 'DELETE', headers: { ...pv, 'X-API-Key': s.keyB } });
				assert.equal(delB.status, 404, 'key B ended key A\'s session');
				const again = await rawPost(s.server, { headers: { ...pv, Authorization: `Bearer ${s.keyA}` }, body });
				assert.equal(again.status, 200, 'session A broken by key B');
			},
		},
		{
			name: 'a key revoked with the CLI stops working (new and existing sessions: 401)',
			async fn(ctx) {
				const key = await s.sb.key(s.accA, 'read');
				const { client } = await ctx.httpClient(s.server, { Authorization: `Bearer ${key}` });
				await callOk(client, 'get_models');
				const sid = await rawSession(s.server, key);
				const r = await s.sb.revoke(key);
				assert.match(r.stdout, new RegExp(`revoked ${Sandbox.prefixOf(key)}`));
				const keys = JSON.parse((await s.sb.cli(['key', 'list', '--account', String(s.accA)])).stdout);
				assert.notEqual(keys.find((k) => k.prefix === Sandbox.prefixOf(key)).revoked_at, null);
				const fresh = await rawPost(s.server, { headers: { Authorization: `Bearer ${key}` }, body: initBody() });
				assert.equal(fresh.status, 401, fresh.text);
				assert.match(fresh.headers.get('www-authenticate') ?? '', /^Bearer/);
				const old = await rawPost(s.server, {
					headers: { Authorization: `Bearer ${key}`, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' },
					body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }),
				});
				assert.equal(old.status, 401, old.text);
				await assert.rejects(client.callTool({ name: 'get_models', arguments: {} }), 'the SDK session still works');
				// the other keys are untouched
				assert.equal((await callOk(s.A, 'get_me')).id, s.accA);
				const bad = await s.sb.cli(['key', 'revoke', 'ffffffff'], { allowFail: true });
				assert.notEqual(bad.code, 0, 'revoking an unknown prefix succeeded');
			},
		},
		{
			name: 'demo account: get_phone_numbers filters by type, phone_number_id set and cleared',
			timeout: 30000,
			async fn(ctx) {
				const sb = await ctx.sandbox();
				const server = await sb.startServer(['--demo']);
				// the server's output is a log file, not a terminal: no key in it,
				// and the log says which command makes one
				let cmd;
				for (let i = 0; i < 100 && !cmd; i++) {
					cmd = server.log().match(/switchboard key create --account (\d+) --scopes read,write,spend --db '([^']+)'/);
					if (!cmd)
						await sleep(50);
				}
				assert.ok(cmd, `no key create command in the log: ${server.log()}`);
				assert.doesNotMatch(server.log(), /\bsb_[0-9a-f]{8}_[0-9a-f]{64}\b/, 'the demo key is in the server log');
				assert.equal(cmd[2], sb.db);
				assert.deepEqual(JSON.parse((await sb.cli(['key', 'list'])).stdout), [], 'a key nobody saw was made');
				const key = await sb.key(Number(cmd[1]), 'read,write,spend');
				// a restart says the key is not shown again, and how to make one
				const again = await sb.startServer(['--demo']);
				let hint;
				for (let i = 0; i < 100 && !hint; i++) {
					hint = again.log().match(/not shown again.*switchboard key create --account (\d+) --scopes read,write,spend/);
					if (!hint)
						await sleep(50);
				}
				assert.ok(hint, `no hint on restart: ${again.log()}`);
				assert.equal(hint[1], cmd[1]);
				assert.doesNotMatch(again.log(), /\bsb_[0-9a-f]{8}_[0-9a-f]{64}\b/);
				const { client } = await ctx.httpClient(server, { Authorization: `Bearer ${key}` });
				await client.listTools();
				const all = (await callOk(client, 'get_phone_numbers')).data;
				const inbound = (await callOk(client, 'get_phone_numbers', { type: 'inbound' })).data;
				const outbound = (await callOk(client, 'get_phone_numbers', { type: 'outbound' })).data;
				assert.ok(inbound.length >= 1 && outbound.length >= 1, JSON.stringify(all));
				assert.ok(inbound.every((p) => p.type === 'inbound'));
				assert.ok(outbound.every((p) => p.type === 'outbound'));
				assert.equal(inbound.length + outbound.length, all.length);
				assert.ok(all.every((p) => /^\+[1-9]\d{6,14}$/.test(p.phone_number)));
				const demo = await callOk(client, 'get_assistants');
				assert.ok(demo.total >= 1, 'the demo account has assistants');
				const a = await callOk(client, 'create_assistant', {
					assistant_name: 'Overflow', calls_direction: 'receive', phone_number_id: inbound[0].id,
				});
				assert.equal(a.data.phone_number_id, inbound[0].id);
				// one owner at a time: a second assistant takes the number from the first
				const owner = async () => (await callOk(client, 'get_phone_numbers')).data
					.find((p) => p.id === inbound[0].id).assistant_id;
				const b = await callOk(client, 'create_assistant', {
					assistant_name: 'Takes it', calls_direction: 'receive', phone_number_id: inbound[0].id,
				});
				assert.equal(b.data.phone_number_id, inbound[0].id);
				assert.equal((await callOk(client, 'get_assistant', { id: a.data.id })).data.phone_number_id, null,
					'the first assistant still holds the number');
				assert.equal(await owner(), b.data.id);
				// and back by update
				await callOk(client, 'update_assistant', { id: a.data.id, phone_number_id: inbound[0].id });
				assert.equal((await callOk(client, 'get_assistant', { id: b.data.id })).data.phone_number_id, null);
				assert.equal(await owner(), a.data.id);
				const holders = (await callOk(client, 'get_assistants', { per_page: 100 })).data
					.filter((x) => x.phone_number_id === inbound[0].id);
				assert.deepEqual(holders.map((x) => x.id), [a.data.id]);
				await callOk(client, 'delete_assistant', { id: b.data.id });
				const cleared = await callOk(client, 'update_assistant', { id: a.data.id, phone_number_id: null });
				assert.equal(cleared.data.phone_number_id, null);
				expectInvalid(await callRaw(client, 'update_assistant', { id: a.data.id, phone_number_id: 999999 }), 'phone_number_id');
				// another account on the same database neither sees nor uses them
				const other = await sb.account('Other');
				const { client: oc } = await ctx.httpClient(server, { Authorization: `Bearer ${await sb.key(other)}` });
				assert.deepEqual((await callOk(oc, 'get_phone_numbers')).data, []);
				expectInvalid(await callRaw(oc, 'create_assistant',
					{ assistant_name: 'x', calls_direction: 'receive', phone_number_id: inbound[0].id }), 'phone_number_id');
				assert.equal((await callOk(oc, 'get_assistants')).total, 0);
			},
		},
	],
});
