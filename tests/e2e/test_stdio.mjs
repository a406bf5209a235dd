// test_stdio.mjs - `switchboard stdio` with the SDK's StdioClientTransport:
// the key comes from SWITCHBOARD_API_KEY; without a valid key the command
// exits non-zero and says why on stderr.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
	BIN, callOk, callRaw, defineSuite, expectInvalid, noteListed, run, sanitizerReport, serverEnv, sleep,
} from './lib.mjs';

const s = {};

/* Start `switchboard stdio` under the SDK; its stderr and exit are kept so the
 * suite can check them when the client closes. */
async function stdioClient(ctx, key) {
	const env = serverEnv({ SWITCHBOARD_API_KEY: key });
	const transport = new StdioClientTransport({ command: BIN, args: ['stdio', '--db', s.sb.db], env, stderr: 'pipe' });
	const child = { stderr: '', exit: null };
	transport.stderr?.on('data', (d) => { child.stderr += d; });
	const client = new Client({ name: 'switchboard-e2e-stdio', version: '1.0.0' });
	await client.connect(transport);
	const proc = transport._process;   // SDK internal: to see the exit status
	child.exited = new Promise((resolve) => {
		if (!proc)
			return resolve(null);
		proc.once('exit', (code, signal) => { child.exit = { code, signal }; resolve(child.exit); });
	});
	child.close = async () => {
		// EOF on stdin is the clean way out; give the sanitizer time to report
		proc?.stdin?.end();
		await Promise.race([child.exited, sleep(10000)]);
		await client.close();
	};
	ctx.defer(child.close);
	ctx.extraChecks.push(async () => {
		await Promise.race([child.exited, sleep(5000)]);
		const problems = [];
		if (!child.exit)
			problems.push('stdio server did not exit after stdin closed');
		else if (child.exit.code !== 0)
			problems.push(`stdio server exit ${JSON.stringify(child.exit)}`);
		const rep = sanitizerReport(child.stderr);
		if (rep)
			problems.push(`stdio server sanitizer: ${rep}`);
		return problems;
	});
	return { client, transport, child };
}

export default defineSuite({
	name: 'stdio',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.account = await s.sb.account('Stdio Co');
		s.key = await s.sb.key(s.account, 'read,write');
		({ client: s.client, child: s.child } = await stdioClient(ctx, s.key));
	},
	tests: [
		{
			name: 'initialize and tools/list',
			async fn() {
				assert.equal(s.client.getServerVersion().name, 'switchboard');
				const { tools } = await s.client.listTools();
				noteListed(tools);
				assert.ok(tools.length >= 10, `only ${tools.length} tools`);
				assert.ok(tools.some((t) => t.name === 'create_assistant'));
			},
		},
		{
			name: 'get_assistants, create_assistant, get_assistant, get_me',
			async fn() {
				const before = await callOk(s.client, 'get_assistants', {}, 'stdio');
				assert.equal(before.total, 0);
				const made = await callOk(s.client, 'create_assistant',
					{ assistant_name: 'Stdio helper', calls_direction: 'make', language: 'en' }, 'stdio');
				assert.equal(made.data.assistant_name, 'Stdio helper');
				const after = await callOk(s.client, 'get_assistants', { per_page: 5 }, 'stdio');
				assert.equal(after.total, 1);
				assert.equal(after.data[0].id, made.data.id);
				assert.equal((await callOk(s.client, 'get_assistant', { id: made.data.id }, 'stdio')).data.language, 'en');
				assert.equal((await callOk(s.client, 'get_me', {}, 'stdio')).id, s.account);
			},
		},
		{
			name: 'validation failure and ping over stdio',
			async fn() {
				expectInvalid(await callRaw(s.client, 'get_assistants', { per_page: 500 }), 'per_page');
				assert.deepEqual(await s.client.ping(), {});
			},
		},
		{
			name: 'a read-only key on stdio is denied writes',
			async fn(ctx) {
				const ro = await s.sb.key(s.account, 'read');
				const { client } = await stdioClient(ctx, ro);
				await callOk(client, 'get_models', {}, 'stdio');
				const res = await callRaw(client, 'create_assistant', { assistant_name: 'x', calls_direction: 'make' });
				assert.equal(res.isError, true);
				assert.equal(res.structuredContent?.required_scope, 'write');
			},
		},
		{
			name: 'a key revoked while stdio runs: the next tools/call is a JSON-RPC error, nothing is created, the process keeps running',
			async fn(ctx) {
				const k = await s.sb.key(s.account, 'read,write');
				const { client, child } = await stdioClient(ctx, k);
				await callOk(client, 'create_assistant', { assistant_name: 'Before revoke', calls_direction: 'make' }, 'stdio');
				await s.sb.revoke(k);
				await assert.rejects(
					client.callTool({ name: 'create_assistant', arguments: { assistant_name: 'After revoke', calls_direction: 'make' } }),
					(e) => e.code === -32001 && /revoked/.test(e.message) && /switchboard key create/.test(e.message),
					'a revoked key still runs tools/call');
				await assert.rejects(client.listTools(), (e) => e.code === -32001);
				const n = execFileSync('sqlite3', [s.sb.db, "SELECT count(*) FROM assistants WHERE assistant_name = 'After revoke'"], { encoding: 'utf8' }).trim();
				assert.equal(n, '0', 'the revoked key created an assistant');
				assert.equal(child.exit, null, 'the process exited');
			},
		},
		{
			name: 'the key\'s current scopes apply to each stdio request (scopes changed in the database)',
			async fn(ctx) {
				const k = await s.sb.key(s.account, 'read,write');
				const { client } = await stdioClient(ctx, k);
				await callOk(client, 'create_assistant', { assistant_name: 'Scoped before', calls_direction: 'make' }, 'stdio');
				// no command changes a key's scopes (a new key replaces it); the database can
				execFileSync('sqlite3', [s.sb.db, `UPDATE api_keys SET scopes = 1 WHERE prefix = '${k.slice(3, 11)}'`]);
				const res = await callRaw(client, 'create_assistant', { assistant_name: 'Scoped after', calls_direction: 'make' });
				assert.equal(res.isError, true, 'write still allowed after the scope was removed');
				assert.equal(res.structuredContent?.required_scope, 'write');
				await callOk(client, 'get_models', {}, 'stdio');
			},
		},
		{
			name: 'make_call over stdio with no process that has a SIP line on the database: the call fails at once, saying to start serve',
			async fn(ctx) {
				const acc = await s.sb.account('Stdio Caller', { balance: 50 });
				const key = await s.sb.key(acc, 'read,write,spend');
				const r = await s.sb.cli(['number', 'add', '--account', String(acc), '--number', '+4930555900', '--type', 'outbound',
					'--trunk-proxy', '127.0.0.1:9', '--trunk-transport', 'udp', '--trunk-username', 'u',
					'--trunk-password-env', 'TRUNK_PW'], { env: { TRUNK_PW: 'pw' } });
				const { client } = await stdioClient(ctx, key);
				const a = await callOk(client, 'create_assistant', { assistant_name: 'Stdio dialer', calls_direction: 'make',
					phone_number_id: Number(r.stdout.trim()) }, 'stdio');
				const args = { assistant_id: a.data.id, phone_number: '+4915100000900' };
				const pv = await callOk(client, 'make_call', args, 'stdio');
				const made = await callOk(client, 'make_call', { ...args, confirmation_token: pv.confirmation_token }, 'stdio');
				assert.equal(made.status, 'initiated');
				let c;
				for (let i = 0; i < 50; i++) {
					c = await callOk(client, 'get_call', { call_id: made.call_id }, 'stdio');
					if (c.status !== 'initiated')
						break;
					await sleep(100);
				}
				assert.equal(c.status, 'failed', JSON.stringify(c));
				assert.match(c.end_reason, /^no process with a SIP line runs on this database: calls are placed by 'switchboard serve'/);
			},
		},
		{
			name: 'missing SWITCHBOARD_API_KEY: exits non-zero with a clear message',
			async fn() {
				const env = serverEnv();
				delete env.SWITCHBOARD_API_KEY;
				const r = await run(BIN, ['stdio', '--db', s.sb.db], { env, timeout: 10000 });
				assert.notEqual(r.code, 0);
				assert.ok(!r.timedOut, 'hung');
				assert.match(r.stderr, /SWITCHBOARD_API_KEY/);
				assert.equal(r.stdout, '', 'wrote to stdout (the protocol channel)');
				assert.equal(sanitizerReport(r.stderr), null);
				const empty = await run(BIN, ['stdio', '--db', s.sb.db], { env: { ...env, SWITCHBOARD_API_KEY: '' }, timeout: 10000 });
				assert.notEqual(empty.code, 0);
				assert.match(empty.stderr, /SWITCHBOARD_API_KEY/);
			},
		},
		{
			name: 'invalid or revoked SWITCHBOARD_API_KEY: exits non-zero with a clear message',
			async fn() {
				for (const key of ['sb_00000000_' + '0'.repeat(64), 'garbage']) {
					const r = await run(BIN, ['stdio', '--db', s.sb.db], { env: serverEnv({ SWITCHBOARD_API_KEY: key }), timeout: 10000 });
					assert.notEqual(r.code, 0, `accepted '${key}'`);
					assert.match(r.stderr, /invalid|revoked/i);
					assert.equal(sanitizerReport(r.stderr), null);
				}
				const k = await s.sb.key(s.account, 'read');
				await s.sb.revoke(k);
				const r = await run(BIN, ['stdio', '--db', s.sb.db], { env: serverEnv({ SWITCHBOARD_API_KEY: k }), timeout: 10000 });
				assert.notEqual(r.code, 0, 'a revoked key was accepted');
				assert.match(r.stderr, /revoked/);
			},
		},
	],
});
