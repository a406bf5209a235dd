// test_control_sms.mjs - send_sms against a local HTTP server that speaks the
// Twilio Messages wire format: form fields, basic auth, provider sid stored;
// a 500 then success (retried), a 429 with Retry-After, a 400 (refused, not
// charged), a provider that never answers (timeout, not charged); segments
// and cost per segment; the SMS-capable and ownership checks; confirmation
// and idempotency; balance exhaustion; an unconfigured server says how to
// configure it; cross-account isolation.
import assert from 'node:assert/strict';
import http from 'node:http';
import { callOk, callRaw, defineSuite, expectInvalid, listAllTools, noteListed } from './lib.mjs';

const SID = 'AC0123456789abcdef';
const TOKEN = 'tok-secret';
const s = {};

/* The fake provider: behaviour chosen by the To number. */
function provider() {
	const p = { requests: [], hung: [], seen: new Map() };
	p.server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (d) => { body += d; });
		req.on('end', () => {
			const form = Object.fromEntries(new URLSearchParams(body));
			const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
			p.requests.push({ method: req.method, url: req.url, auth, type: req.headers['content-type'], form, at: Date.now() });
			const n = (p.seen.get(form.To) ?? 0) + 1;
			p.seen.set(form.To, n);
			const json = (status, obj, headers = {}) => {
				res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
				res.end(JSON.stringify(obj));
			};
			if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${SID}/Messages.json`)
				return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
			if (auth !== `${SID}:${TOKEN}`)
				return json(401, { code: 20003, message: 'Authenticate', status: 401 });
			if (form.To === '+15005550500' && n === 1)
				return json(500, { code: 20500, message: 'Internal Server Error', status: 500 });
			if (form.To === '+15005550429' && n === 1)
				return json(429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'Retry-After': '1' });
			if (form.To === '+15005550503')
				return json(503, { code: 20503, message: 'Service unavailable', status: 503 });
			if (form.To === '+15005550400')
				return json(400, { code: 21211, message: "The 'To' number +15005550400 is not a valid phone number.\n<html>", status: 400 });
			if (form.To === '+15005550999') {
				p.hung.push(res);   // never answers
				return undefined;
			}
			return json(201, {
				sid: `SM${String(p.requests.length).padStart(32, '0')}`, status: 'queued', from: form.From, to: form.To,
				body: form.Body, num_segments: '1', account_sid: SID, date_created: new Date().toUTCString(),
			});
		});
	});
	return p;
}

async function confirmed(client, args) {
	const first = await callOk(client, 'send_sms', args);
	assert.equal(first.status, 'confirmation_required', JSON.stringify(first));
	return callOk(client, 'send_sms', { ...args, confirmation_token: first.confirmation_token });
}

/* Confirm, expecting the confirmed run to fail: returns the error result. */
async function confirmedError(client, args) {
	const first = await callOk(client, 'send_sms', args);
	assert.equal(first.status, 'confirmation_required', JSON.stringify(first));
	const r = await callRaw(client, 'send_sms', { ...args, confirmation_token: first.confirmation_token });
	assert.equal(r.isError, true, JSON.stringify(r.structuredContent));
	return r;
}

async function balance(client) {
	return (await callOk(client, 'get_me')).balance;
}

export default defineSuite({
	name: 'control-sms',
	async setup(ctx) {
		s.p = provider();
		await new Promise((r) => s.p.server.listen(0, '127.0.0.1', r));
		ctx.defer(() => {
			for (const res of s.p.hung)
				res.destroy();
			return new Promise((r) => s.p.server.close(r));
		});
		s.sb = await ctx.sandbox();
		s.accA = await s.sb.account('Sms A', { balance: 1 });
		s.accB = await s.sb.account('Sms B', { balance: 1 });
		s.accPoor = await s.sb.account('Sms Poor', { balance: '0.02' });
		s.smsA = await s.sb.number(s.accA, '+4930777100', { sms: true });
		s.voiceA = await s.sb.number(s.accA, '+4930777101');
		s.smsB = await s.sb.number(s.accB, '+4930777200', { sms: true });
		s.smsPoor = await s.sb.number(s.accPoor, '+4930777300', { sms: true });
		s.keyA = await s.sb.key(s.accA, 'read,write,spend');
		s.keyAr = await s.sb.key(s.accA, 'read,write');
		s.keyB = await s.sb.key(s.accB, 'read,write,spend');
		s.keyPoor = await s.sb.key(s.accPoor, 'read,write,spend');
		s.server = await s.sb.startServer([], {
			SWITCHBOARD_SMS_URL: `http://127.0.0.1:${s.p.server.address().port}/`,
			SWITCHBOARD_SMS_SID: SID, SWITCHBOARD_SMS_TOKEN: TOKEN,
			SWITCHBOARD_SMS_TIMEOUT_MS: '1000', SWITCHBOARD_SMS_CONNECT_TIMEOUT_MS: '1000',
			SWITCHBOARD_SMS_BACKOFF_MS: '50', SWITCHBOARD_SMS_RETRY_CAP_MS: '3000',
		});
		s.bare = await s.sb.startServer();   // no SMS configuration at all
		const open = async (server, key) => {
			const { client } = await ctx.httpClient(server, { Authorization: `Bearer ${key}` });
			noteListed(await listAllTools(client));
			return client;
		};
		s.A = await open(s.server, s.keyA);
		s.Ar = await open(s.server, s.keyAr);
		s.B = await open(s.server, s.keyB);
		s.Poor = await open(s.server, s.keyPoor);
		s.bareA = await open(s.bare, s.keyA);
	},
	tests: [
		{
			name: 'send_sms: preview with segments and cost, nothing sent',
			async fn() {
				const pv = await callOk(s.A, 'send_sms', { from: s.smsA, to: '+4915100000001', body: 'Hello from Switchboard' });
				assert.equal(pv.status, 'confirmation_required');
				assert.equal(pv.preview.action, 'send an SMS');
				assert.match(pv.preview.target, /\+4915100000001 from \+4930777100 \(1 segment\)/);
				assert.equal(pv.preview.estimated_cost, '0.0075');
				assert.equal(pv.preview.details.encoding, 'GSM-7');
				assert.equal(pv.preview.details.segments, 1);
				assert.equal(s.p.requests.length, 0);
				// the sender as its E.164 number: the same plan
				const byNumber = await callOk(s.A, 'send_sms', { from: '+4930777100', to: '+4915100000001', body: 'Hello from Switchboard' });
				assert.match(byNumber.preview.target, /\+4915100000001 from \+4930777100 \(1 segment\)/);
				// another account's number, an unknown one, a malformed one: refused as from
				for (const from of ['+4930777200', '+4930777999', '4930777100'])
					expectInvalid(await callRaw(s.A, 'send_sms', { from, to: '+4915100000001', body: 'x' }), 'from');
				assert.equal(s.p.requests.length, 0);
			},
		},
		{
			name: 'send_sms: sent through the provider wire format, provider id stored, charged',
			async fn() {
				const r = await confirmed(s.A, { from: s.smsA, to: '+4915100000001', body: 'Hello & welcome: 100% {ok}' });
				assert.equal(r.message, 'SMS sent successfully');
				const d = r.data;
				assert.equal(d.from, '+4930777100');
				assert.equal(d.to, '+4915100000001');
				assert.equal(d.status, 'queued');
				assert.match(d.provider_id, /^SM0+1$/);
				assert.equal(d.segments, 1);
				assert.equal(d.encoding, 'GSM-7');
				assert.equal(d.cost, '0.0075');
				assert.equal(s.p.requests.length, 1);
				const q = s.p.requests[0];
				assert.equal(q.method, 'POST');
				assert.equal(q.auth, `${SID}:${TOKEN}`);
				assert.match(q.type, /application\/x-www-form-urlencoded/);
				assert.deepEqual(q.form, { From: '+4930777100', To: '+4915100000001', Body: 'Hello & welcome: 100% {ok}' });
				assert.equal(await balance(s.A), '0.9925');
				const me = await callOk(s.A, 'get_me');
				assert.equal(me.usage_this_month.sms, 1);
				assert.equal(me.usage_this_month.sms_cost, '0.0075');
			},
		},
		{
			name: 'send_sms: segments and cost (GSM-7 multi-part, extension chars, UCS-2)',
			async fn() {
				const cases = [
					['a'.repeat(160), 'GSM-7', 1],
					['a'.repeat(161), 'GSM-7', 2],
					['€'.repeat(80), 'GSM-7', 1],
					['€'.repeat(81), 'GSM-7', 2],
					['Привет', 'UCS-2', 1],
					['ж'.repeat(71), 'UCS-2', 2],
					['ж'.repeat(135), 'UCS-2', 3],
					['😀'.repeat(36), 'UCS-2', 2],
					['x'.repeat(300), 'GSM-7', 2],
				];
				for (const [body, enc, segs] of cases) {
					const pv = await callOk(s.A, 'send_sms', { from: s.smsA, to: '+4915100000002', body });
					assert.equal(pv.preview.details.encoding, enc, body.slice(0, 10));
					assert.equal(pv.preview.details.segments, segs, `${body.slice(0, 10)}... (${body.length})`);
					assert.equal(pv.preview.estimated_cost, (0.0075 * segs).toFixed(4).replace(/0+$/, '').replace(/\.(\d)$/, '.$10'));
				}
				const r = await confirmed(s.A, { from: s.smsA, to: '+4915100000002', body: 'ж'.repeat(71) });
				assert.equal(r.data.segments, 2);
				assert.equal(r.data.encoding, 'UCS-2');
				assert.equal(r.data.cost, '0.015');
				assert.equal(s.p.requests.at(-1).form.Body, 'ж'.repeat(71));
			},
		},
		{
			name: 'send_sms: a 500 then success is retried once and sent',
			async fn() {
				const n = s.p.requests.length;
				const r = await confirmed(s.A, { from: s.smsA, to: '+15005550500', body: 'retry me' });
				assert.equal(r.data.status, 'queued');
				assert.equal(r.data.tries, 2);
				assert.equal(s.p.requests.length, n + 2);
			},
		},
		{
			name: 'send_sms: a 429 waits for Retry-After, then sends',
			async fn() {
				const n = s.p.requests.length;
				const r = await confirmed(s.A, { from: s.smsA, to: '+15005550429', body: 'slow down' });
				assert.equal(r.data.tries, 2);
				const [a, b] = s.p.requests.slice(n);
				assert.ok(b.at - a.at >= 900, `retried after ${b.at - a.at} ms`);
			},
		},
		{
			name: 'send_sms: a lasting 503 fails after 3 tries and is not charged',
			async fn() {
				const before = await balance(s.A);
				const n = s.p.requests.length;
				const r = await confirmedError(s.A, { from: s.smsA, to: '+15005550503', body: 'down' });
				assert.match(r.structuredContent.message, /unavailable \(HTTP 503 after 3 tries\).*not charged/);
				assert.equal(s.p.requests.length, n + 3);
				assert.equal(await balance(s.A), before);
			},
		},
		{
			name: 'send_sms: a 400 is refused at once, with the provider\'s short reason, not charged',
			async fn() {
				const before = await balance(s.A);
				const n = s.p.requests.length;
				const r = await confirmedError(s.A, { from: s.smsA, to: '+15005550400', body: 'bad' });
				assert.match(r.structuredContent.message, /refused the message \(HTTP 400, code 21211: The 'To' number/);
				assert.ok(!r.structuredContent.message.includes('\n'), 'raw text handed through');
				assert.equal(s.p.requests.length, n + 1);
				assert.equal(await balance(s.A), before);
			},
		},
		{
			name: 'send_sms: a provider that never answers times out (not retried, not charged)',
			timeout: 15000,
			async fn() {
				const before = await balance(s.A);
				const n = s.p.requests.length;
				const t0 = Date.now();
				const r = await confirmedError(s.A, { from: s.smsA, to: '+15005550999', body: 'hello?' });
				assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
				assert.match(r.structuredContent.message, /did not answer in time.*may or may not have been sent/);
				assert.equal(s.p.requests.length, n + 1, 'a timed-out send must not be retried');
				assert.equal(await balance(s.A), before);
			},
		},
		{
			name: 'send_sms: idempotency_key sends once',
			async fn() {
				const n = s.p.requests.length;
				const args = { from: s.smsA, to: '+4915100000003', body: 'once', idempotency_key: 'sms-1' };
				const first = await confirmed(s.A, args);
				const replay = await callOk(s.A, 'send_sms', args);
				assert.deepEqual(replay, first);
				assert.equal(s.p.requests.length, n + 1);
			},
		},
		{
			name: 'send_sms: validation, sender checks and scope',
			async fn() {
				expectInvalid(await callRaw(s.A, 'send_sms', { from: s.smsA, to: '4915100000001', body: 'x' }), 'to');
				expectInvalid(await callRaw(s.A, 'send_sms', { from: s.smsA, to: '+4915100000001', body: '' }), 'body');
				expectInvalid(await callRaw(s.A, 'send_sms', { from: s.smsA, to: '+4915100000001', body: 'x'.repeat(301) }), 'body');
				expectInvalid(await callRaw(s.A, 'send_sms', { to: '+4915100000001', body: 'x' }), 'from');
				const voice = await callRaw(s.A, 'send_sms', { from: s.voiceA, to: '+4915100000001', body: 'x' });
				expectInvalid(voice, 'from');
				assert.match(voice.structuredContent.errors.from[0], /cannot send SMS/);
				expectInvalid(await callRaw(s.A, 'send_sms', { from: s.smsB, to: '+4915100000001', body: 'x' }), 'from');
				const denied = await callRaw(s.Ar, 'send_sms', { from: s.smsA, to: '+4915100000001', body: 'x' });
				assert.equal(denied.structuredContent.required_scope, 'spend');
			},
		},
		{
			name: 'isolation: B cannot send from A\'s number; B\'s own number works',
			async fn() {
				const r = await callRaw(s.B, 'send_sms', { from: s.smsA, to: '+4915100000001', body: 'x' });
				expectInvalid(r, 'from');
				assert.match(r.structuredContent.errors.from[0], /not found/);
				const ok = await confirmed(s.B, { from: s.smsB, to: '+4915100000001', body: 'B here' });
				assert.equal(ok.data.from, '+4930777200');
				assert.equal((await callOk(s.B, 'get_me')).usage_this_month.sms, 1);
			},
		},
		{
			name: 'send_sms: balance exhaustion is a clear error and sends nothing',
			async fn() {
				await confirmed(s.Poor, { from: s.smsPoor, to: '+4915100000004', body: 'one' });
				await confirmed(s.Poor, { from: s.smsPoor, to: '+4915100000004', body: 'two' });
				const n = s.p.requests.length;
				const r = await callRaw(s.Poor, 'send_sms', { from: s.smsPoor, to: '+4915100000004', body: 'three' });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /insufficient balance/);
				assert.equal(r.structuredContent.balance, '0.005');
				assert.equal(r.structuredContent.required, '0.0075');
				assert.equal(s.p.requests.length, n);
				assert.equal(await balance(s.Poor), '0.005');
			},
		},
		{
			name: 'send_sms on a server without SMS configuration says how to configure it',
			async fn() {
				const r = await callRaw(s.bareA, 'send_sms', { from: s.smsA, to: '+4915100000001', body: 'x' });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /SWITCHBOARD_SMS_SID and SWITCHBOARD_SMS_TOKEN/);
			},
		},
	],
});
