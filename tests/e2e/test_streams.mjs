// test_streams.mjs - the standalone GET stream: resource subscriptions
// delivered as notifications, Last-Event-ID replay after a reconnect, and
// idle sessions expiring (404 afterwards).
import assert from 'node:assert/strict';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { ACCEPT_BOTH, callOk, defineSuite, rawPost, rawSession, sleep } from './lib.mjs';

const s = {};

/* Read SSE events from a fetch response until `n` data events or timeout. */
async function readEvents(res, n, ms) {
	const reader = res.body.getReader();
	const dec = new TextDecoder();
	const events = [];
	let buf = '';
	const deadline = Date.now() + ms;
	while (events.length < n && Date.now() < deadline) {
		const chunk = await Promise.race([reader.read(), sleep(Math.max(1, deadline - Date.now())).then(() => null)]);
		if (!chunk || chunk.done)
			break;
		buf += dec.decode(chunk.value, { stream: true });
		let i;
		while ((i = buf.indexOf('\n\n')) >= 0) {
			const frame = buf.slice(0, i);
			buf = buf.slice(i + 2);
			const id = /^id: (.*)$/m.exec(frame)?.[1];
			const data = /^data: (.*)$/m.exec(frame)?.[1];
			if (data)
				events.push({ id, data: JSON.parse(data) });
		}
	}
	reader.cancel().catch(() => {});
	return events;
}

function getStream(sid, lastId) {
	return fetch(s.server.url('/mcp'), {
		headers: { Authorization: `Bearer ${s.key}`, Accept: 'text/event-stream', 'Mcp-Session-Id': sid,
			'MCP-Protocol-Version': '2025-11-25', ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
	});
}

async function rpc(sid, method, params, id = 1) {
	return rawPost(s.server, {
		headers: { Authorization: `Bearer ${s.key}`, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' },
		body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
	});
}

export default defineSuite({
	name: 'streams',
	async setup(ctx) {
		s.ctx = ctx;
		s.sb = await ctx.sandbox();
		s.acc = await s.sb.account('Streams');
		s.accB = await s.sb.account('Other');
		s.key = await s.sb.key(s.acc, 'read,write');
		s.keyB = await s.sb.key(s.accB, 'read,write');
		s.server = await s.sb.startServer(['--idle-timeout', '2']);
		s.A = (await ctx.httpClient(s.server, { Authorization: `Bearer ${s.key}` }, { capabilities: {} })).client;
		s.asst = (await callOk(s.A, 'create_assistant', { assistant_name: 'Watched', calls_direction: 'receive' })).data.id;
		s.uri = `switchboard://assistants/${s.asst}`;
	},
	tests: [
		{
			name: 'resources/subscribe: an update of the assistant arrives as notifications/resources/updated',
			async fn() {
				const got = [];
				s.A.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => got.push(n.params.uri));
				await s.A.subscribeResource({ uri: s.uri });
				const B = (await s.ctx.httpClient(s.server, { Authorization: `Bearer ${s.key}` })).client;
				await callOk(B, 'update_assistant', { id: s.asst, assistant_name: 'Watched 2' });
				for (let i = 0; i < 50 && !got.length; i++)
					await sleep(50);
				assert.deepEqual(got, [s.uri]);
				const r = await s.A.readResource({ uri: s.uri });
				assert.match(r.contents[0].text, /Watched 2/);
			},
		},
		{
			name: 'another account cannot subscribe to (or read) this assistant',
			async fn() {
				const B = (await s.ctx.httpClient(s.server, { Authorization: `Bearer ${s.keyB}` })).client;
				await assert.rejects(B.subscribeResource({ uri: s.uri }), /not found/);
				await assert.rejects(B.readResource({ uri: s.uri }), /not found/);
			},
		},
		{
			name: 'GET stream: events carry ids; a reconnect with Last-Event-ID replays what was missed',
			async fn() {
				const sid = await rawSession(s.server, s.key);
				assert.equal((await rpc(sid, 'resources/subscribe', { uri: s.uri })).status, 200);
				const first = await getStream(sid);
				assert.equal(first.status, 200);
				assert.match(first.headers.get('content-type'), /text\/event-stream/);
				const pending = readEvents(first, 1, 5000);
				await sleep(100);
				await callOk(s.A, 'update_assistant', { id: s.asst, assistant_name: 'v3' });
				const ev = await pending;
				assert.equal(ev.length, 1);
				assert.equal(ev[0].data.method, 'notifications/resources/updated');
				assert.ok(ev[0].id, 'event without an id');
				await sleep(100);   // the server sees the reader gone
				await callOk(s.A, 'update_assistant', { id: s.asst, assistant_name: 'v4' });
				await callOk(s.A, 'update_assistant', { id: s.asst, assistant_name: 'v5' });
				const again = await getStream(sid, ev[0].id);
				assert.equal(again.status, 200);
				const missed = await readEvents(again, 2, 5000);
				assert.equal(missed.length, 2, `replayed ${missed.length} of 2 events`);
				assert.ok(missed.every((e) => Number(e.id) > Number(ev[0].id)));
			},
		},
		{
			name: 'a reconnecting GET takes the stream over: the old one ends, events go to the new one',
			async fn() {
				const sid = await rawSession(s.server, s.key);
				assert.equal((await rpc(sid, 'resources/subscribe', { uri: s.uri })).status, 200);
				const one = await getStream(sid);
				assert.equal(one.status, 200);
				const two = await getStream(sid);
				assert.equal(two.status, 200);
				const oldEnd = readEvents(one, 1, 3000);
				const fresh = readEvents(two, 1, 5000);
				await sleep(100);
				await callOk(s.A, 'update_assistant', { id: s.asst, assistant_name: 'v6' });
				assert.equal((await fresh).length, 1, 'the new stream got nothing');
				assert.equal((await oldEnd).length, 0, 'an event went to two streams');
			},
		},
		{
			name: 'idle sessions expire: a request after the idle timeout gets 404',
			timeout: 15000,
			async fn() {
				const sid = await rawSession(s.server, s.key);
				assert.equal((await rpc(sid, 'ping', {})).status, 200);
				await sleep(4500);
				const r = await rpc(sid, 'ping', {});
				assert.equal(r.status, 404);
			},
		},
	],
});
