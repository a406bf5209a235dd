// test_sse.mjs - the legacy HTTP+SSE transport (/sse + /messages) with the
// SDK's SSEClientTransport. Its requestInit headers go on both the EventSource
// GET (SDK 1.32.2 builds them in _commonHeaders) and the message POSTs.
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { callOk, callRaw, defineSuite, expectInvalid, noteListed } from './lib.mjs';

const s = {};

async function sseClient(ctx, headers) {
	const transport = new SSEClientTransport(s.server.url('/sse'), { requestInit: { headers } });
	const client = new Client({ name: 'switchboard-e2e-sse', version: '1.0.0' });
	ctx.defer(() => client.close());
	await client.connect(transport);
	return { client, transport };
}

export default defineSuite({
	name: 'sse',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.account = await s.sb.account('Legacy Inc');
		s.key = await s.sb.key(s.account, 'read,write');
		s.server = await s.sb.startServer();
		({ client: s.client } = await sseClient(ctx, { Authorization: `Bearer ${s.key}` }));
	},
	tests: [
		{
			name: 'tools/list and get_models over /sse',
			async fn() {
				const { tools } = await s.client.listTools();
				noteListed(tools);
				assert.ok(tools.length >= 10, `only ${tools.length} tools`);
				const { data } = await callOk(s.client, 'get_models', {}, 'sse');
				assert.ok(data.length >= 1);
			},
		},
		{
			name: 'get_me, create_assistant and a validation failure over /sse',
			async fn() {
				assert.equal((await callOk(s.client, 'get_me', {}, 'sse')).id, s.account);
				const a = await callOk(s.client, 'create_assistant', { assistant_name: 'Legacy', calls_direction: 'receive' }, 'sse');
				assert.equal((await callOk(s.client, 'get_assistants', {}, 'sse')).data[0].id, a.data.id);
				expectInvalid(await callRaw(s.client, 'create_assistant', { assistant_name: 'x', calls_direction: 'up' }), 'calls_direction');
			},
		},
		{
			name: 'X-API-Key works on /sse too',
			async fn(ctx) {
				const { client } = await sseClient(ctx, { 'X-API-Key': s.key });
				assert.deepEqual(await client.ping(), {});
				await callOk(client, 'get_languages', {}, 'sse');
			},
		},
		{
			name: 'unauthenticated GET /sse answers 401 with a Bearer challenge',
			async fn() {
				const r = await fetch(s.server.url('/sse'), { headers: { Accept: 'text/event-stream' }, signal: AbortSignal.timeout(5000) });
				assert.equal(r.status, 401);
				assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
				await r.body?.cancel();
				const bad = await fetch(s.server.url('/sse'), {
					headers: { Accept: 'text/event-stream', Authorization: 'Bearer sb_00000000_00' },
					signal: AbortSignal.timeout(5000),
				});
				assert.equal(bad.status, 401);
				await bad.body?.cancel();
			},
		},
		{
			name: 'the SDK SSE client without a key fails to connect',
			async fn() {
				const client = new Client({ name: 'anon', version: '1' });
				await assert.rejects(client.connect(new SSEClientTransport(s.server.url('/sse'))), /401|Unauthorized|SSE error/i);
				await client.close().catch(() => {});
			},
		},
		{
			name: 'a legacy session answers 404 to another account\'s key',
			async fn(ctx) {
				const acc = await s.sb.account('Intruder');
				const other = await s.sb.key(acc, 'read,write');
				const ac = new AbortController();
				ctx.defer(() => ac.abort());
				const r = await fetch(s.server.url('/sse'), {
					headers: { Accept: 'text/event-stream', Authorization: `Bearer ${s.key}` }, signal: ac.signal,
				});
				assert.equal(r.status, 200);
				const reader = r.body.getReader();
				let text = '';
				while (!/data: (\/messages\?sessionId=\S+)/.test(text)) {
					const { value, done } = await reader.read();
					if (done)
						break;
					text += Buffer.from(value).toString();
				}
				const ep = text.match(/data: (\/messages\?sessionId=\S+)/)?.[1];
				assert.ok(ep, `no endpoint event in ${text}`);
				const post = (key) => fetch(new URL(ep, s.server.base), {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
					body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
					signal: AbortSignal.timeout(5000),
				});
				const intruder = await post(other);
				assert.equal(intruder.status, 404, await intruder.text());
				const owner = await post(s.key);
				assert.equal(owner.status, 202, await owner.text());
				ac.abort();
			},
		},
	],
});
