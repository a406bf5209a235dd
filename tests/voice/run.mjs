// run.mjs - the voice runtime end to end, with sipp as the remote phone.
//   node tests/voice/run.mjs [substring...]   (only tests whose name matches)
//
// One switchboard server (sanitizer build) with its SIP user agent on a free
// loopback port; each test runs sipp (bounded by -timeout and a kill timer)
// against it, as the called phone (UAS, behind a number's trunk) or as the
// caller (UAC, to a number with an inbound assistant). The agent's side is
// checked through the control plane (get_call: status, end_reason,
// duration, cost, transcript, answered_by, recording_url), and the audio
// the agent sends is caught by a UDP sink the SDP points at (packets
// counted, silence told from speech). A second server, started on first
// use, runs the HTTP speech engines against a local speech server
// (speech_server.mjs) and rings inbound calls for 1 s before answering.
// Prints one line per test and "voice: N passed, M failed".
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, E2E_DIR, SuiteContext, callOk, callRaw, freePort, probeLeakDetection, sanitizerReport, serverEnv, sleep } from '../e2e/lib.mjs';
import { startModelServer } from '../e2e/model_server.mjs';
import { startSpeechServer } from './speech_server.mjs';

// the SDK lives in the e2e suite's node_modules
const sdk = (p) => import(pathToFileURL(path.join(E2E_DIR, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');

const DIR = path.dirname(fileURLToPath(import.meta.url));
const TEST_TIMEOUT_MS = 60000;
const SIPP_TIMEOUT_S = 40;
const DIALER_NOW = '2026-03-02T10:00:00Z';
const filters = process.argv.slice(2);
let passed = 0, failed = 0;

// ---- ports, sipp, the RTP sink ---------------------------------------------------


/* Catches the RTP the agent sends: packet count, arrival times, and how many
 * carried speech (any G.711 byte away from silence). */
class RtpSink {
	async open() {
		this.port = await freePort();
		this.packets = [];
		this.sock = dgram.createSocket('udp4');
		this.sock.on('message', (m) => {
			if (m.length < 12)
				return;
			const pt = m[1] & 0x7f, payload = m.subarray(12);
			if (pt === 101 && payload.length >= 4) {
				// RFC 4733 telephone-event: event, E bit, duration; one digit per RTP timestamp
				this.packets.push({ t: Date.now(), pt, len: payload.length, loud: false,
					event: payload[0], end: !!(payload[1] & 0x80), ts: m.readUInt32BE(4) });
				return;
			}
			let loud = 0;
			for (const b of payload) {
				// µ-law silence is 0xff/0x7f, A-law 0xd5/0x55; speech moves away
				const mag = pt === 8 ? ((b ^ 0x55) & 0x7f) : (0x7f - (b & 0x7f));
				if (mag > 0x20)
					loud++;
			}
			this.packets.push({ t: Date.now(), pt, len: payload.length, loud: loud > 8,
				pcm: Int16Array.from(payload, (b) => (pt === 8 ? unalaw(b) : unulaw(b))) });
		});
		await new Promise((r) => this.sock.bind(this.port, '127.0.0.1', r));
		return this;
	}
	speech() { return this.packets.filter((p) => p.loud).length; }
	/* Keypad tones heard in the audio since t0 (a small Goertzel detector:
	 * the two strongest tones of the keypad carry most of a 20 ms frame). */
	tones(t0 = 0) {
		const rows = [697, 770, 852, 941], cols = [1209, 1336, 1477, 1633], pad = ['123A', '456B', '789C', '*0#D'];
		const power = (x, f) => {
			const k = 2 * Math.cos(2 * Math.PI * f / 8000);
			let s1 = 0, s2 = 0;
			for (const v of x) { const s0 = v + k * s1 - s2; s2 = s1; s1 = s0; }
			return s1 * s1 + s2 * s2 - k * s1 * s2;
		};
		let out = '', run = '', n = 0;
		for (const p of this.packets.filter((q) => q.pcm && q.t >= t0)) {
			const e = p.pcm.reduce((a, v) => a + v * v, 0);
			let key = '';
			if (e / p.pcm.length > 100 * 100) {
				const r = rows.map((f) => power(p.pcm, f)), c = cols.map((f) => power(p.pcm, f));
				const ri = r.indexOf(Math.max(...r)), ci = c.indexOf(Math.max(...c));
				if (2 * (r[ri] + c[ci]) / (p.pcm.length * e) > 0.7)
					key = pad[ri][ci];
			}
			n = key && key === run ? n + 1 : key ? 1 : 0;
			if (n === 2)
				out += key;
			run = key;
		}
		return out;
	}
	/* The keypad digits received, in order: [{event, first, last, packets}]. */
	digits() {
		const out = [];
		for (const p of this.packets.filter((x) => x.pt === 101)) {
			const last = out[out.length - 1];
			if (last && last.ts === p.ts) {
				last.last = p.t;
				last.packets++;
				last.ended ||= p.end;
			} else {
				out.push({ event: p.event, ts: p.ts, first: p.t, last: p.t, packets: 1, ended: p.end });
			}
		}
		return out;
	}
	between(t0, t1) { return this.packets.filter((p) => p.t >= t0 && p.t < t1).length; }
	close() { try { this.sock.close(); } catch { /* closed */ } }
}

/* A scenario from tests/voice with @NAME@ placeholders filled in. */
function scenario(dir, name, vars) {
	let x = fs.readFileSync(path.join(DIR, name), 'utf8');
	for (const [k, v] of Object.entries(vars))
		x = x.replaceAll(`@${k}@`, String(v));
	const left = x.match(/@[A-Z]+@/);
	if (left)
		throw new Error(`${name}: ${left[0]} not filled in`);
	const out = path.join(dir, `${path.basename(name, '.xml')}-${Date.now()}.xml`);
	fs.writeFileSync(out, x);
	return out;
}

/* Run sipp for `calls` calls (default 1), bounded. Resolves {code, out, ms}. */
function sipp(sb, file, { port, remote, service, mediaPort, transport = 'u1', calls = 1 } = {}) {
	const args = ['-sf', file, '-i', '127.0.0.1', '-p', String(port), '-m', String(calls), '-t', transport,
		'-timeout', `${SIPP_TIMEOUT_S}s`, '-timeout_error', '-recv_timeout', '30000', '-nostdin',
		'-trace_err', '-trace_msg', '-trace_logs', '-message_file', `${file}.msg`, '-error_file', `${file}.err`,
		'-log_file', `${file}.log`, '-mp', String(mediaPort ?? port + 2)];
	if (service)
		args.push('-s', service);
	if (remote)
		args.push(remote);
	const t0 = Date.now();
	return new Promise((resolve) => {
		const p = spawn('sipp', args, { cwd: sb.dir, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.stderr.on('data', (d) => { out += d; });
		const kill = setTimeout(() => p.kill('SIGKILL'), (SIPP_TIMEOUT_S + 10) * 1000);
		p.on('close', (code) => {
			clearTimeout(kill);
			let msgs = '';
			for (const ext of ['.err', '.msg'])
				try { msgs += fs.readFileSync(file + ext, 'utf8').slice(-3000); } catch { /* none */ }
			resolve({ code, out: out.slice(-2000), msgs, ms: Date.now() - t0 });
		});
	});
}

function sippOk(r, what) {
	if (r.code !== 0)
		throw new Error(`${what}: sipp exited ${r.code}: ${r.msgs.slice(-1500) || r.out}`);
}

// ---- the switchboard side ---------------------------------------------------------

const s = {};

async function mcp(key, p = '/mcp', headers = {}, server = s.server) {
	const transport = new StreamableHTTPClientTransport(server.url(p), {
		requestInit: { headers: { Authorization: `Bearer ${key}`, ...headers } } });
	const client = new Client({ name: 'voice-test', version: '1.0.0' }, { capabilities: {} });
	await client.connect(transport);
	s.ctx.defer(() => client.close());
	return client;
}

async function getCall(id) {
	return callOk(s.ctl, 'get_call', { call_id: id });
}

/* Poll get_call until pred(call) holds. */
async function waitCall(id, pred, what, ms = 20000) {
	const until = Date.now() + ms;
	let c;
	while (Date.now() < until) {
		c = await getCall(id);
		if (pred(c))
			return c;
		await sleep(100);
	}
	throw new Error(`call ${id}: ${what} not reached; last: ${JSON.stringify(c).slice(0, 600)}`);
}

const FINAL = ['completed', 'busy', 'no-answer', 'failed', 'ended_by_customer', 'ended_by_assistant'];
const ended = (c) => FINAL.includes(c.status);

/* The newest call of the account (inbound calls are made by the agent). */
async function newestCall(after) {
	const until = Date.now() + 15000;
	while (Date.now() < until) {
		const page = await callOk(s.ctl, 'list_calls', { per_page: 1 });
		const c = page.data?.[0];
		if (c && c.id > after)
			return c;
		await sleep(100);
	}
	throw new Error('no new call appeared');
}

async function lastCallId() {
	const page = await callOk(s.ctl, 'list_calls', { per_page: 1 });
	return page.data?.[0]?.id ?? 0;
}

/* make_call with its confirmation token. */
async function makeCall(assistantId, to) {
	const first = await callOk(s.ctl, 'make_call', { assistant_id: assistantId, phone_number: to });
	assert.equal(first.status, 'confirmation_required');
	const r = await callOk(s.ctl, 'make_call', { assistant_id: assistantId, phone_number: to,
		confirmation_token: first.confirmation_token });
	assert.equal(r.status, 'initiated');
	return r.call_id;
}

/* A number with a trunk to 127.0.0.1:port and an outbound assistant on it. */
async function outboundLine(number, port, settings = {}, transport = 'udp') {
	const r = await s.sb.cli(['number', 'add', '--account', String(s.acc), '--number', number, '--type', 'outbound',
		'--trunk-proxy', `127.0.0.1:${port}`, '--trunk-transport', transport,
		'--trunk-username', 'agent', '--trunk-password-env', 'TRUNK_PW'], { env: { TRUNK_PW: 'secret-pw' } });
	const id = Number(r.stdout.trim());
	const a = await callOk(s.ctl, 'create_assistant', { assistant_name: `Out ${number}`, calls_direction: 'make',
		phone_number_id: id, initial_message: 'Hello, this is the Switchboard test assistant calling.',
		max_silence_duration: 2, allow_interruptions: false, ...settings });
	return a.data?.id ?? a.id;
}

/* A number with an inbound assistant. */
async function inboundLine(number, settings = {}) {
	const id = await s.sb.number(s.acc, number, { type: 'inbound' });
	const a = await callOk(s.ctl, 'create_assistant', { assistant_name: `In ${number}`, calls_direction: 'receive',
		phone_number_id: id, initial_message: 'Thank you for calling Switchboard. How can I help?',
		allow_interruptions: false, ...settings });
	return a.data?.id ?? a.id;
}

/* Poll the server's log until re matches (registration outcomes are logged). */
async function waitLog(re, what, ms = 15000) {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		if (re.test(s.server.log()))
			return;
		await sleep(100);
	}
	throw new Error(`${what}: no log line matching ${re}`);
}

// ---- tests -------------------------------------------------------------------------

const tests = [
	{
		name: 'OPTIONS is answered 200 with Allow',
		async fn() {
			const f = scenario(s.sb.dir, 'uac_options.xml', {});
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}` }), 'OPTIONS');
		},
	},
	{
		name: 'outbound call answered: ringing, in-progress, speech sent, completed after silence; duration and cost recorded',
		async fn() {
			const port = await freePort(), sink = await new RtpSink().open();
			try {
				const asst = await outboundLine('+4930900001', port, { max_silence_duration: 2 });
				const f = scenario(s.sb.dir, 'uas_answer.xml', { RTPPORT: sink.port });
				const phone = sipp(s.sb, f, { port, mediaPort: await freePort() });
				await sleep(300);
				const before = (await callOk(s.ctl, 'get_me', {}));
				const id = await makeCall(asst, '+4915100000001');
				const live = await waitCall(id, (c) => c.status === 'in-progress' || ended(c), 'in-progress');
				assert.equal(live.status, 'in-progress');
				assert.ok(live.answered_at, 'answered_at set');
				const c = await waitCall(id, ended, 'the end');
				sippOk(await phone, 'UAS');
				assert.equal(c.status, 'completed', JSON.stringify(c));
				assert.match(c.end_reason, /max_silence_duration/);
				assert.ok(c.duration >= 2 && c.duration <= 15, `duration ${c.duration}`);
				assert.equal(c.total_cost, '0.09');
				assert.equal(c.type, 'outbound');
				assert.ok(c.transcript.some((t) => t.sender === 'bot' && /test assistant calling/.test(t.text)
					&& t.type === 'transcript' && typeof t.timestamp === 'number'), JSON.stringify(c.transcript));
				const after = await callOk(s.ctl, 'get_me', {});
				assert.equal(Math.round((Number(before.balance) - Number(after.balance)) * 100), 9, 'one minute charged');
				// the agent spoke: PCMA (the far end's first choice), ~50 packets a second
				assert.ok(sink.packets.length >= 80, `only ${sink.packets.length} RTP packets`);
				assert.ok(sink.packets.every((p) => p.pt === 8 && p.len === 160), 'PCMA, 20 ms');
				assert.ok(sink.speech() >= 40, `only ${sink.speech()} packets with speech`);
			} finally {
				sink.close();
			}
		},
	},
	{
		name: 'an assistant no model serves greets with its placeholders filled, as the brain fills them',
		async fn() {
			const port = await freePort(), sink = await new RtpSink().open();
			try {
				// gpt-4o is in the catalog but not usable here: the call runs without a brain
				const asst = await outboundLine('+4930900061', port, { max_silence_duration: 2, llm_model: 'gpt-4o',
					initial_message: 'Hi {{customer_name}}, this is Alex from {{company}}.', variables: { company: 'Acme' } });
				const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_answer.xml', { RTPPORT: sink.port }),
					{ port, mediaPort: await freePort() });
				await sleep(300);
				const args = { assistant_id: asst, phone_number: '+4915100000091', variables: { customer_name: 'Pat' } };
				const first = await callOk(s.ctl, 'make_call', args);
				const id = (await callOk(s.ctl, 'make_call', { ...args, confirmation_token: first.confirmation_token })).call_id;
				const c = await waitCall(id, ended, 'the end');
				sippOk(await phone, 'UAS');
				const bot = c.transcript.filter((t) => t.sender === 'bot').map((t) => t.text);
				assert.deepEqual(bot, ['Hi Pat, this is Alex from Acme.'], JSON.stringify(c.transcript));
				assert.ok(sink.speech() >= 20, `only ${sink.speech()} packets with speech`);
			} finally {
				sink.close();
			}
		},
	},
	{
		name: 'end_call on a live call on our line: the assistant says goodbye, then BYE; ended by the operator',
		async fn() {
			const port = await freePort(), sink = await new RtpSink().open();
			try {
				// without end_call this call would last 30 s of silence
				const asst = await outboundLine('+4930900062', port, { max_silence_duration: 30 });
				const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_answer.xml', { RTPPORT: sink.port }),
					{ port, mediaPort: await freePort() });
				await sleep(300);
				const id = await makeCall(asst, '+4915100000062');
				await waitCall(id, (c) => c.status === 'in-progress' || ended(c), 'in-progress');
				const t0 = Date.now();
				const r = await callOk(s.ctl, 'end_call', { call_id: id });
				assert.equal(r.status, 'ending');
				sippOk(await phone, 'UAS');	// the phone got its BYE
				const c = await waitCall(id, ended, 'the end');
				assert.ok(Date.now() - t0 < 15000, `the call went on for ${Date.now() - t0} ms after end_call`);
				assert.ok(!['in-progress', 'ringing', 'initiated'].includes(c.status), c.status);
				const again = await callRaw(s.ctl, 'end_call', { call_id: id });
				assert.equal(again.isError, true);
			} finally {
				sink.close();
			}
		},
	},
	{
		name: 'outbound call to a busy phone (486) ends busy; its webhook goes out at once (no conversation ran)',
		async fn() {
			const port = await freePort();
			const hooks = [];
			const rx = http.createServer((req, res) => {
				let body = '';
				req.on('data', (d) => { body += d; });
				req.on('end', () => { hooks.push({ t: Date.now(), body, headers: req.headers, method: req.method, url: req.url }); res.end('{}'); });
			});
			await new Promise((r) => rx.listen(0, '127.0.0.1', r));
			s.ctx.defer(() => new Promise((r) => rx.close(r)));
			const asst = await outboundLine('+4930900002', port, { is_webhook_active: true,
				webhook_url: `http://127.0.0.1:${rx.address().port}/calls` });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_busy.xml', {}), { port });
			await sleep(300);
			const id = await makeCall(asst, '+4915100000002');
			const c = await waitCall(id, ended, 'the end');
			sippOk(await phone, 'UAS');
			assert.equal(c.status, 'busy');
			assert.match(c.end_reason, /486 Busy Here/);
			assert.equal(c.duration, 0);
			assert.equal(c.total_cost, '0.00');
			// decided and sent when the call ended, not at the sweep (300 s here)
			const until = Date.now() + 10000;
			while (!hooks.length && Date.now() < until)
				await sleep(100);
			assert.equal(hooks.length, 1, 'no webhook within 10 s of the end');
			const p = JSON.parse(hooks[0].body);
			assert.deepEqual({ id: p.id, status: p.status, duration: p.duration }, { id, status: 'busy', duration: 0 });
			// signed with the account's webhook secret over t, method, URL and body
			const h = hooks[0];
			const sig = /^t=(\d+),v2=([0-9a-f]{64})$/.exec(h.headers['x-switchboard-signature']);
			assert.ok(sig, h.headers['x-switchboard-signature']);
			const secret = (await s.sb.cli(['webhook', 'secret', '--account', String(s.acc)])).stdout.trim();
			const msg = `${sig[1]}\n${h.method}\nhttp://${h.headers.host}${h.url}\n${h.body}`;
			assert.equal(sig[2], crypto.createHmac('sha256', secret).update(msg).digest('hex'));
		},
	},
	{
		name: 'outbound call nobody answers: CANCEL after the ring timeout, no-answer',
		async fn() {
			const port = await freePort();
			const asst = await outboundLine('+4930900003', port);
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_noanswer.xml', {}), { port });
			await sleep(300);
			const id = await makeCall(asst, '+4915100000003');
			await waitCall(id, (c) => c.status === 'ringing' || ended(c), 'ringing');
			const c = await waitCall(id, ended, 'the end');
			sippOk(await phone, 'UAS (CANCEL received)');
			assert.equal(c.status, 'no-answer');
			assert.match(c.end_reason, /ring timeout/);
			assert.equal(c.total_cost, '0.00');
		},
	},
	{
		name: 'outbound call through an unreachable trunk fails with the reason',
		async fn() {
			const port = await freePort();	// nothing listens there
			const asst = await outboundLine('+4930900004', port, {}, 'tcp');
			const id = await makeCall(asst, '+4915100000004');
			const c = await waitCall(id, ended, 'the end');
			assert.equal(c.status, 'failed');
			assert.match(c.end_reason, new RegExp(`cannot reach the SIP trunk 127\\.0\\.0\\.1:${port}`));
		},
	},
	{
		name: 'REGISTER to a trunk registrar: 401 digest challenge, authenticated retry, 200, logged registered; un-REGISTER when the registrar goes',
		async fn() {
			const port = await freePort();
			const f = scenario(s.sb.dir, 'uas_register.xml', { USER: 'agent', PASSWORD: 'secret-pw', REALM: 'switchboard.test' });
			const registrar = sipp(s.sb, f, { port });
			await sleep(300);
			// added while serving: the registration scanner picks it up
			await s.sb.cli(['number', 'add', '--account', String(s.acc), '--number', '+4930900090', '--type', 'inbound',
				'--trunk-registrar', `127.0.0.1:${port}`, '--trunk-username', 'agent', '--trunk-password-env', 'TRUNK_PW'],
			{ env: { TRUNK_PW: 'secret-pw' } });
			await waitLog(new RegExp(`number \\+4930900090 registered at sip:127\\.0\\.0\\.1:${port} \\(expires 3600 s\\)`),
				'registered');
			// the trunk loses its registrar: the number un-registers (expires=0)
			await s.sb.cli(['number', 'trunk', '--account', String(s.acc), '--number', '+4930900090',
				'--trunk-proxy', `127.0.0.1:${port}`]);
			sippOk(await registrar, 'registrar (401, authenticated 200, un-REGISTER)');
			await waitLog(/number \+4930900090: un-registering/, 'un-registering');
			assert.doesNotMatch(s.server.log(), /number \+4930900090: registration .*failed/);
		},
	},
	{
		name: 'a registrar that refuses (403): the failure is logged with its status, calls on the number end cleanly',
		async fn() {
			const port = await freePort();
			const registrar = sipp(s.sb, scenario(s.sb.dir, 'uas_register_refused.xml', {}), { port, calls: 2 });
			await sleep(300);
			const r = await s.sb.cli(['number', 'add', '--account', String(s.acc), '--number', '+4930900091', '--type', 'outbound',
				'--trunk-registrar', `127.0.0.1:${port}`, '--trunk-username', 'agent', '--trunk-password-env', 'TRUNK_PW'],
			{ env: { TRUNK_PW: 'secret-pw' } });
			await waitLog(new RegExp(`number \\+4930900091: registration at sip:127\\.0\\.0\\.1:${port} failed: 403 Forbidden`),
				'registration failure');
			const a = await callOk(s.ctl, 'create_assistant', { assistant_name: 'Out +4930900091', calls_direction: 'make',
				phone_number_id: Number(r.stdout.trim()), initial_message: 'Hello.', max_silence_duration: 2 });
			const id = await makeCall(a.data?.id ?? a.id, '+4915100000091');
			const c = await waitCall(id, ended, 'the end');
			sippOk(await registrar, 'registrar (403 to REGISTER and INVITE)');
			assert.equal(c.status, 'failed', JSON.stringify(c));
			assert.match(c.end_reason, /403 Forbidden/);
			assert.equal(c.total_cost, '0.00');
		},
	},
	{
		name: 'inbound call to an inbound assistant: answered, greeting sent, caller hangs up (ended_by_customer)',
		async fn() {
			const sink = await new RtpSink().open();
			try {
				await inboundLine('+4930900010');
				const after = await lastCallId();
				const f = scenario(s.sb.dir, 'uac_call.xml', { RTPPORT: sink.port, STREAM: '', TALKMS: 4000 });
				const r = await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
					service: '+4930900010', mediaPort: await freePort() });
				sippOk(r, 'UAC');
				const first = await newestCall(after);
				const c = await waitCall(first.id, ended, 'the end');
				assert.equal(c.type, 'inbound');
				assert.equal(c.status, 'ended_by_customer');
				assert.equal(c.client_phone_number, '+4915112345678');
				assert.equal(c.assistant_phone_number, '+4930900010');
				assert.equal(c.answered_by, 'human');
				assert.ok(c.duration >= 3 && c.duration <= 6, `duration ${c.duration}`);
				assert.ok(c.transcript.some((t) => t.sender === 'bot' && /Thank you for calling/.test(t.text)));
				// PCMU (the caller's first choice) with the greeting in it
				assert.ok(sink.packets.length >= 150, `${sink.packets.length} packets`);
				assert.ok(sink.packets.every((p) => p.pt === 0), 'PCMU');
				assert.ok(sink.speech() >= 50, `${sink.speech()} packets with speech`);
			} finally {
				sink.close();
			}
		},
	},
	{
		name: 'inbound call to a number without an assistant is refused (480), no call row',
		async fn() {
			await s.sb.number(s.acc, '+4930900011', { type: 'inbound' });
			const after = await lastCallId();
			const f = scenario(s.sb.dir, 'uac_call.xml', { RTPPORT: 40000, STREAM: '', TALKMS: 100 });
			const r = await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
				service: '+4930900011' });
			assert.notEqual(r.code, 0);
			assert.match(r.msgs, /480 Temporarily Unavailable/);
			assert.equal(await lastCallId(), after);
		},
	},
	{
		name: 'assistant hangs up through /call/mcp hangup_call: goodbye said, BYE, ended_by_assistant',
		async fn() {
			const asst = await inboundLine('+4930900012');
			const after = await lastCallId();
			const f = scenario(s.sb.dir, 'uac_wait_bye.xml', { RTPPORT: 40002, STREAM: '' });
			const phone = sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
				service: '+4930900012', mediaPort: await freePort() });
			const first = await newestCall(after);
			await waitCall(first.id, (c) => c.status === 'in-progress', 'in-progress');
			const ic = await mcp(s.kInc, '/call/mcp', { account_id: String(s.acc), persona_id: String(asst),
				call_id: String(first.id), caller_id_number: '+4915112345678' });
			const res = await ic.callTool({ name: 'hangup_call', arguments: {} });
			assert.ok(!res.isError, JSON.stringify(res));
			sippOk(await phone, 'UAC (BYE from the agent)');
			const c = await waitCall(first.id, ended, 'the end');
			assert.equal(c.status, 'ended_by_assistant');
			// the greeting (about 3 s) and the goodbye were played out before the BYE
			const live = Date.parse(c.ended_at) - Date.parse(c.answered_at);
			assert.ok(live >= 2500, `BYE ${live} ms after the answer: before the greeting ended`);
		},
	},
	{
		name: 'hold and resume: nothing is sent while held, sending resumes after',
		async fn() {
			const sink = await new RtpSink().open();
			try {
				await inboundLine('+4930900013', { max_silence_duration: 30 });
				const f = scenario(s.sb.dir, 'uac_hold.xml', { RTPPORT: sink.port, HOLDMS: 2000 });
				const t0 = Date.now();
				const r = await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
					service: '+4930900013', mediaPort: await freePort() });
				sippOk(r, 'UAC');
				// answered ~t0+0.1 s, held from ~1.6 s to ~3.6 s, resumed until ~5.1 s
				const before = sink.between(t0 + 300, t0 + 1400);
				const held = sink.between(t0 + 2000, t0 + 3300);
				const resumed = sink.between(t0 + 4000, t0 + 4900);
				assert.ok(before >= 40, `before hold: ${before}`);
				assert.equal(held, 0, `${held} packets while on hold`);
				assert.ok(resumed >= 30, `after resume: ${resumed}`);
			} finally {
				sink.close();
			}
		},
	},
	{
		name: 'transfer by REFER: NOTIFY 200 sipfrag followed, BYE, completed "transferred to"',
		async fn() {
			const port = await freePort();
			const asst = await outboundLine('+4930900005', port, { max_silence_duration: 30 });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_refer.xml', { RTPPORT: 40004, TARGET: '4940123456' }), { port });
			await sleep(300);
			const id = await makeCall(asst, '+4915100000005');
			await waitCall(id, (c) => c.status === 'in-progress', 'in-progress');
			const ic = await mcp(s.kInc, '/call/mcp', { account_id: String(s.acc), persona_id: String(asst),
				call_id: String(id), caller_id_number: '+4915100000005' });
			const res = await ic.callTool({ name: 'transfer_call', arguments: { destination_number: '+4940123456' } });
			assert.ok(!res.isError, JSON.stringify(res));
			sippOk(await phone, 'UAS (REFER, NOTIFY, BYE)');
			const c = await waitCall(id, ended, 'the end');
			assert.equal(c.status, 'completed');
			assert.equal(c.end_reason, 'transferred to +4940123456');
		},
	},
	...[
		['a refused transfer (REFER answered 403)', 'uas_refer_refused.xml', { REFUSAL: '403 Forbidden' },
			/the far end refused the transfer \(403 Forbidden\)/],
		['a trunk without REFER (REFER answered 501)', 'uas_refer_refused.xml', { REFUSAL: '501 Not Implemented' },
			/the far end refused the transfer \(501 Not Implemented\)/],
		['a transfer whose target is busy (REFER accepted, NOTIFY sipfrag 486)', 'uas_refer_notify_fail.xml',
			{ FRAG: '486 Busy Here' }, /the transfer target answered 486 Busy Here/],
	].map(([what, file, vars, why], i) => ({
		name: `${what}: said on the line, the call goes on`,
		async fn() {
			const port = await freePort(), number = `+493090000${60 + i}`, target = `+49401234${570 + i}`;
			const asst = await outboundLine(number, port, { max_silence_duration: 30 });
			const phone = sipp(s.sb, scenario(s.sb.dir, file, { RTPPORT: 40006, TALKMS: 6000, TARGET: target.slice(1), ...vars }),
				{ port });
			await sleep(300);
			const id = await makeCall(asst, `+49151000000${60 + i}`);
			await waitCall(id, (c) => c.status === 'in-progress', 'in-progress');
			const ic = await mcp(s.kInc, '/call/mcp', { account_id: String(s.acc), persona_id: String(asst),
				call_id: String(id), caller_id_number: `+49151000000${60 + i}` });
			await ic.callTool({ name: 'transfer_call', arguments: { destination_number: target } });
			sippOk(await phone, `UAS (${what}, BYE from the phone)`);
			const c = await waitCall(id, ended, 'the end');
			assert.equal(c.status, 'ended_by_customer', JSON.stringify(c));
			assert.ok(c.transcript.some((t) => t.sender === 'bot' && /could not transfer/.test(t.text)),
				JSON.stringify(c.transcript));
			assert.match(s.server.log(), new RegExp(`voice: call ${c.id}: transfer to [^ ]*${target.slice(1)} failed: ${why.source}`));
		},
	})),
	{
		name: 'keypad digits (RFC 4733) reach the conversation',
		async fn() {
			await inboundLine('+4930900014', { max_silence_duration: 30 });
			const after = await lastCallId();
			const f = scenario(s.sb.dir, 'uac_call.xml', { RTPPORT: 40008, TALKMS: 4000,
				STREAM: '<exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_1.pcap"/>' });
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
				service: '+4930900014', mediaPort: await freePort() }), 'UAC');
			const first = await newestCall(after);
			const c = await waitCall(first.id, ended, 'the end');
			assert.ok(c.transcript.some((t) => t.sender === 'human' && t.text === '[keypad] 1'),
				JSON.stringify(c.transcript));
		},
	},
	{
		name: 'keypad digits sent as audio (in-band DTMF) reach the conversation; the tones are not transcribed as speech',
		async fn() {
			await inboundLine('+4930900019', { max_silence_duration: 30,
				expected_phrases: ['Where is my order', 'Goodbye'] });
			s.ms.script({ content: 'Thank you, I have your customer number.' });
			const seen = s.ms.chatRequests().length;
			const after = await lastCallId();
			// 4, 2, # as tone pairs of 100 ms with 100 ms between them
			const audio = path.join(s.sb.dir, 'inband-42#.ul');
			fs.writeFileSync(audio, dtmfAudio('42#', 100, 100));
			const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: 40016, AUDIO: audio, WAITMS: 3500, TALKMS: 4000 });
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
				service: '+4930900019', mediaPort: await freePort() }), 'UAC');
			const first = await newestCall(after);
			const c = await waitCall(first.id, ended, 'the end');
			const human = c.transcript.filter((t) => t.sender === 'human').map((t) => t.text);
			assert.deepEqual(human, ['[keypad] 42'], JSON.stringify(c.transcript));
			assert.ok(s.ms.chatRequests().slice(seen).some((r) => JSON.stringify(r.body.messages).includes('[keypad] 42')));
			const log = s.server.log();
			assert.equal((log.match(new RegExp(`call ${c.id}: keypad '.' \\(in-band\\)`, 'g')) ?? []).length, 3);
			assert.doesNotMatch(log, new RegExp(`call ${c.id}: heard`), 'the tones went to the recogniser');
		},
	},
	{
		name: 'recording: a stereo WAV with both sides, recording_url set',
		async fn() {
			await inboundLine('+4930900015', { record_call: true });
			const after = await lastCallId();
			const f = scenario(s.sb.dir, 'uac_call.xml', { RTPPORT: 40010, TALKMS: 3000,
				STREAM: '<exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/>' });
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
				service: '+4930900015', mediaPort: await freePort() }), 'UAC');
			const first = await newestCall(after);
			const c = await waitCall(first.id, (x) => ended(x) && x.recording_url, 'the recording');
			assert.equal(c.recording_url, `/recordings/${c.id}.wav`);
			assert.ok(c.transcript.some((t) => /recorded/.test(t.text)), 'consent sentence');
			const wav = fs.readFileSync(path.join(s.sb.dir, 'recordings', String(s.acc), `${c.id}.wav`));
			assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
			assert.equal(wav.readUInt16LE(22), 2, 'stereo');
			assert.equal(wav.readUInt32LE(24), 8000);
			const frames = (wav.length - 44) / 4;
			assert.ok(frames >= 8000 * 2.5, `${frames} frames`);
			let left = 0, right = 0;
			for (let i = 0; i < frames; i++) {
				if (Math.abs(wav.readInt16LE(44 + 4 * i)) > 500) left++;
				if (Math.abs(wav.readInt16LE(46 + 4 * i)) > 500) right++;
			}
			assert.ok(left > 2000, `caller channel: ${left} loud samples`);
			assert.ok(right > 2000, `agent channel: ${right} loud samples`);
			// served over HTTP to the call's account only
			const url = new URL(c.recording_url, s.server.base);
			const got = await fetch(url, { headers: { Authorization: `Bearer ${s.key}` } });
			assert.equal(got.status, 200);
			assert.equal(got.headers.get('content-type'), 'audio/wav');
			assert.ok(Buffer.from(await got.arrayBuffer()).equals(wav), 'served bytes differ from the file');
			assert.equal((await fetch(url)).status, 401);
			const other = await s.sb.account('Someone else');
			const okey = await s.sb.key(other, 'read');
			assert.equal((await fetch(url, { headers: { Authorization: `Bearer ${okey}` } })).status, 404);
		},
	},
];

/* G.711 µ-law of a 16-bit sample, and back. */
function ulaw(x) {
	let sign = 0;
	if (x < 0) { sign = 0x80; x = -x; }
	x = Math.min(x, 32635) + 0x84;
	let exp = 7;
	for (let mask = 0x4000; !(x & mask) && exp > 0; exp--, mask >>= 1);
	return ~(sign | (exp << 4) | ((x >> (exp + 3)) & 0x0f)) & 0xff;
}
function unalaw(a) {
	a ^= 0x55;
	let t = (a & 0x0f) << 4;
	const seg = (a & 0x70) >> 4;
	if (seg === 0)
		t += 8;
	else
		t = (t + 0x108) << (seg > 1 ? seg - 1 : 0);
	return a & 0x80 ? t : -t;
}
function unulaw(b) {
	b = ~b & 0xff;
	const t = (((b & 0x0f) << 3) + 0x84) << ((b & 0x70) >> 4);
	return b & 0x80 ? 0x84 - t : t - 0x84;
}

/* Raw µ-law 8 kHz of keypad tones: each key `onMs` of its two tones (each
 * at amplitude 6000), `gapMs` of silence after it, 300 ms of silence first. */
function dtmfAudio(keys, onMs, gapMs) {
	const rows = [697, 770, 852, 941], cols = [1209, 1336, 1477, 1633], pad = ['123A', '456B', '789C', '*0#D'];
	const out = [...Buffer.alloc(2400, 0xff)];
	for (const k of keys) {
		const r = pad.findIndex((row) => row.includes(k)), col = pad[r].indexOf(k);
		for (let i = 0; i < onMs * 8; i++)
			out.push(ulaw(Math.round(6000 * (Math.sin(2 * Math.PI * rows[r] * i / 8000)
				+ Math.sin(2 * Math.PI * cols[col] * i / 8000)))));
		out.push(...Buffer.alloc(gapMs * 8, 0xff));
	}
	return Buffer.from(out);
}

/* Raw µ-law 8 kHz of espeak-ng saying text (what sipp streams). */
function speak(dir, name, text) {
	const wav = path.join(dir, `${name}.wav`), ul = path.join(dir, `${name}.ul`);
	let r = spawnSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, text], { timeout: 10000 });
	if (r.status !== 0)
		throw new Error(`espeak-ng failed: ${r.stderr}`);
	r = spawnSync('sox', [wav, '-r', '8000', '-c', '1', '-t', 'raw', '-e', 'mu-law', ul], { timeout: 10000 });
	if (r.status !== 0)
		throw new Error(`sox failed: ${r.stderr}`);
	return ul;
}

tests.push({
	name: 'caller speech is transcribed (grammar of expected phrases), answered by the model, the answer spoken',
	async fn() {
		const sink = await new RtpSink().open();
		try {
			await inboundLine('+4930900016', { max_silence_duration: 30, expected_phrases: [
				'I would like to book an appointment for tomorrow', 'Can I speak to a human please',
				'I want to cancel my order', 'Goodbye'] });
			const audio = speak(s.sb.dir, 'book', 'I would like to book an appointment for tomorrow');
			s.ms.script({ content: 'Of course. I have booked you for tomorrow at nine. Anything else?' });
			const seen = s.ms.chatRequests().length;
			const after = await lastCallId();
			const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: sink.port, AUDIO: audio, WAITMS: 3500, TALKMS: 7000 });
			const t0 = Date.now();
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
				service: '+4930900016', mediaPort: await freePort() }), 'UAC');
			const first = await newestCall(after);
			const c = await waitCall(first.id, ended, 'the end');
			const human = c.transcript.filter((t) => t.sender === 'human');
			assert.equal(human.length, 1, JSON.stringify(c.transcript));
			assert.equal(human[0].text, 'i would like to book an appointment for tomorrow');
			assert.ok(c.transcript.some((t) => t.sender === 'bot' && /booked you for tomorrow/.test(t.text)),
				JSON.stringify(c.transcript));
			const chats = s.ms.chatRequests().slice(seen);
			assert.ok(chats.some((r) => JSON.stringify(r.body.messages).includes('book an appointment for tomorrow')));
			// the answer went out as speech after the caller spoke (the greeting ends ~3 s in)
			const late = sink.packets.filter((p) => p.t > t0 + 6500 && p.loud).length;
			assert.ok(late >= 50, `only ${late} speech packets after the caller spoke`);
			for (const l of s.server.log().split('\n'))
				if (l.includes(`call ${c.id}: heard`) || l.includes(`call ${c.id}: turn:`))
					console.log(`    note: ${l.replace(/^.*voice: /, '')}`);
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'the assistant\'s hearing settings: endpoint and interrupt sensitivity, noise_cancellation (speech in noise still understood)',
	async fn() {
		await inboundLine('+4930900026', { max_silence_duration: 30, allow_interruptions: true, endpoint_sensitivity: 5,
			interrupt_sensitivity: 1, noise_cancellation: true,
			expected_phrases: ['I would like to book an appointment for tomorrow', 'Goodbye'] });
		// the sentence in steady white noise (RMS ~290), noise from the first packet on
		const clean = fs.readFileSync(speak(s.sb.dir, 'book', 'I would like to book an appointment for tomorrow'));
		let seed = 11;
		const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
		const lead = Buffer.alloc(8000 * 2, 0xff), tail = Buffer.alloc(8000, 0xff);
		const noisy = Buffer.from([...Buffer.concat([lead, clean, tail])].map((b) => ulaw(unulaw(b) + Math.round((rnd() - 0.5) * 1000))));
		const audio = path.join(s.sb.dir, 'book-in-noise.ul');
		fs.writeFileSync(audio, noisy);
		s.ms.script({ content: 'Of course, tomorrow it is.' });
		const after = await lastCallId();
		const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: 40020, AUDIO: audio, WAITMS: 1500, TALKMS: 9000 });
		sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
			service: '+4930900026', mediaPort: await freePort() }), 'UAC');
		const c = await waitCall((await newestCall(after)).id, ended, 'the end');
		assert.match(s.server.log(), new RegExp(`voice: call ${c.id}: listening: a turn ends after 300 ms of silence, `
			+ 'interruptions after 600 ms of speech, noise suppression on'));
		const human = c.transcript.filter((t) => t.sender === 'human').map((t) => t.text);
		assert.deepEqual(human, ['i would like to book an appointment for tomorrow'], JSON.stringify(c.transcript));
	},
});

tests.push({
	name: 'filler_audios: a slow answer is covered by a short filler, said before it; a quick one has none',
	async fn() {
		await inboundLine('+4930900028', { max_silence_duration: 30, filler_audios: true,
			expected_phrases: ['I would like to book an appointment for tomorrow', 'Goodbye'] });
		const one = fs.readFileSync(speak(s.sb.dir, 'book', 'I would like to book an appointment for tomorrow'));
		const audio = path.join(s.sb.dir, 'book-twice.ul');
		fs.writeFileSync(audio, Buffer.concat([one, Buffer.alloc(8000 * 6, 0xff), one]));
		s.ms.script({ content: 'Certainly, tomorrow at nine.', delayMs: 2000 }, { content: 'It is booked already.' });
		const after = await lastCallId();
		const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: 40022, AUDIO: audio, WAITMS: 3500, TALKMS: 14000 });
		sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
			service: '+4930900028', mediaPort: await freePort() }), 'UAC');
		const c = await waitCall((await newestCall(after)).id, ended, 'the end');
		const bot = c.transcript.filter((t) => t.sender === 'bot').map((t) => t.text);
		assert.ok(bot.includes('Hmm, let me see. Certainly, tomorrow at nine.'), JSON.stringify(bot));
		assert.ok(bot.includes('It is booked already.'), JSON.stringify(bot));
		assert.equal((s.server.log().match(new RegExp(`voice: call ${c.id}: the answer is slow: said a filler`, 'g')) ?? []).length, 1);
	},
});

tests.push({
	name: 'endpoint_type ai: a sentence left open ("... for") waits for the rest; one answer to the whole sentence',
	async fn() {
		await inboundLine('+4930900034', { max_silence_duration: 30, endpoint_type: 'ai',
			expected_phrases: ['I would like to book an appointment for', 'tomorrow', 'Goodbye'] });
		const a = fs.readFileSync(speak(s.sb.dir, 'book-for', 'I would like to book an appointment for'));
		const b = fs.readFileSync(speak(s.sb.dir, 'tomorrow', 'tomorrow'));
		const audio = path.join(s.sb.dir, 'book-pause-tomorrow.ul');
		fs.writeFileSync(audio, Buffer.concat([a, Buffer.alloc(8000, 0xff), b]));	// a 1 s pause
		s.ms.script({ content: 'Certainly, tomorrow it is.' });
		const seen = s.ms.chatRequests().length;
		const after = await lastCallId();
		const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: 40024, AUDIO: audio, WAITMS: 3500, TALKMS: 7000 });
		sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
			service: '+4930900034', mediaPort: await freePort() }), 'UAC');
		const c = await waitCall((await newestCall(after)).id, ended, 'the end');
		const human = c.transcript.filter((t) => t.sender === 'human').map((t) => t.text);
		assert.deepEqual(human, ['i would like to book an appointment for', 'tomorrow'], JSON.stringify(c.transcript));
		const chats = s.ms.chatRequests().slice(seen).filter((r) => !JSON.stringify(r.body).includes('review a finished'));
		assert.equal(chats.length, 1, `${chats.length} model requests`);
		const users = chats[0].body.messages.filter((m) => m.role === 'user').map((m) => m.content);
		assert.deepEqual(users, ['i would like to book an appointment for tomorrow']);
		assert.match(s.server.log(), new RegExp(`voice: call ${c.id}: "i would like to book an appointment for" sounds unfinished`));
	},
});

tests.push({
	name: 'a tool the model calls silently is covered by its spoken start message, then the answer',
	async fn() {
		const sink = await new RtpSink().open();
		try {
			await inboundLine('+4930900017', { max_silence_duration: 30, expected_phrases: [
				'Is the office open today', 'Goodbye'] });
			const audio = speak(s.sb.dir, 'open', 'Is the office open today');
			s.ms.script({ tool_calls: [{ name: 'is_office_open', arguments: {} }] },
				{ content: 'Yes, we are here for you today.' });
			const after = await lastCallId();
			const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: sink.port, AUDIO: audio, WAITMS: 3500, TALKMS: 8000 });
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
				service: '+4930900017', mediaPort: await freePort() }), 'UAC');
			const first = await newestCall(after);
			const c = await waitCall(first.id, ended, 'the end');
			const bot = c.transcript.filter((t) => t.sender === 'bot').map((t) => t.text).join(' | ');
			const i = bot.indexOf('Let me check our opening hours.');
			const j = bot.indexOf('we are here for you today');
			assert.ok(i >= 0 && j > i, `start message not said before the answer: ${bot}`);
			const log = await callOk(s.ctl, 'list_call_actions', { call_id: c.id });
			assert.ok(log.data.some((a) => a.tool === 'is_office_open'));
		} finally {
			sink.close();
		}
	},
});

/* A CRM that holds each answer until release() (or `holdMs`): [{t, url}]. */
async function slowCrm(holdMs) {
	const seen = [];
	let waiting = [];
	const srv = http.createServer((req, res) => {
		seen.push({ t: Date.now(), url: req.url });
		const answer = () => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ order: 'A-17', status: 'shipped', eta: 'tomorrow' }));
		};
		const timer = setTimeout(answer, holdMs);
		waiting.push(() => { clearTimeout(timer); answer(); });
	});
	await new Promise((r) => srv.listen(0, '127.0.0.1', r));
	s.ctx.defer(() => new Promise((r) => srv.close(r)));
	return { url: `http://127.0.0.1:${srv.address().port}`, seen,
		release() { for (const f of waiting) f(); waiting = []; } };
}

tests.push({
	name: 'a slow tool: start and delay messages fill the line; the caller barges in meanwhile; the action runs once, both utterances answered',
	async fn() {
		const sink = await new RtpSink().open();
		try {
			const crm = await slowCrm(8000);
			const START = 'Let me look up your order.';
			const DELAY = 'This is taking a moment, please stay on the line.';
			const tool = (await callOk(s.ctl, 'create_mid_call_tool', { name: 'check_order',
				description: 'Looks up the caller\'s order', endpoint: `${crm.url}/orders/latest`, method: 'GET',
				timeout: 10, schema: [], say_start: START, say_delay: DELAY })).data.id;
			const number = '+4930900018';
			await inboundLine(number, { max_silence_duration: 30, allow_interruptions: true, tool_ids: [tool],
				expected_phrases: ['Where is my order', 'Can I speak to a human please', 'Goodbye'] });
			// the caller asks, waits 2.5 s (the tool starts ~1 s in and runs), speaks again
			const q1 = fs.readFileSync(speak(s.sb.dir, 'order', 'Where is my order?'));
			const q2 = fs.readFileSync(speak(s.sb.dir, 'human', 'Can I speak to a human please?'));
			const audio = path.join(s.sb.dir, 'order-then-human.ul');
			fs.writeFileSync(audio, Buffer.concat([q1, Buffer.alloc(20000, 0xff), q2]));
			s.ms.script({ tool_calls: [{ name: 'check_order', arguments: {} }] },
				{ content: 'Your order ships tomorrow.' },
				{ content: 'Of course, I will find a colleague for you.' });
			const seen = s.ms.chatRequests().length;
			const after = await lastCallId();
			// the CRM answers once the caller has interrupted (or after 8 s)
			const barged = new RegExp('voice: call \\d+: barge-in: the caller interrupted');
			const poll = setInterval(() => { if (barged.test(s.server.log())) crm.release(); }, 50);
			let c;
			try {
				const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: sink.port, AUDIO: audio, WAITMS: 3500, TALKMS: 12000 });
				sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${s.sipPort}`,
					service: number, mediaPort: await freePort() }), 'UAC');
				const first = await newestCall(after);
				c = await waitCall(first.id, ended, 'the end');
			} finally {
				clearInterval(poll);
			}
			const log = s.server.log();
			const mine = (re) => log.split('\n').findIndex((l) => l.includes(`voice: call ${c.id}: `) && re.test(l));
			// the delay message was said while the tool ran, then the caller interrupted it
			const delayAt = mine(/said its delay message/), bargeAt = mine(/barge-in: the caller interrupted/);
			assert.ok(delayAt >= 0, 'no delay message was said');
			assert.ok(bargeAt > delayAt, `no barge-in after the delay message (${delayAt}, ${bargeAt})`);
			// the action ran exactly once, and is logged once
			assert.equal(crm.seen.length, 1, JSON.stringify(crm.seen));
			const actions = (await callOk(s.ctl, 'list_call_actions', { call_id: c.id })).data
				.filter((a) => a.tool === 'check_order');
			assert.equal(actions.length, 1, JSON.stringify(actions));
			assert.equal(actions[0].outcome, 'ok', JSON.stringify(actions));
			// the transcript in order, as the caller heard it: the question; the start
			// message and the delay message cut short by the interruption (the answer
			// that came while the caller was talking was not said); the second
			// question; its answer
			const t = c.transcript.map((e) => `${e.sender}: ${e.text}`);
			const at = (re) => t.findIndex((x) => re.test(x));
			const q1At = at(/^human: where is my order$/);
			const a1At = at(/^bot: Let me look up your order\. (This is taking a moment, please stay on the line\.|[^.]*\.\.\.)?$/);
			const q2At = at(/^human: can i speak to a human please$/), a2At = at(/^bot: Of course, I will find a colleague for you\.$/);
			assert.ok(q1At >= 0 && a1At > q1At && q2At > a1At && a2At > q2At, JSON.stringify(t));
			assert.ok(!t.some((x) => /ships tomorrow/.test(x)), `an answer the caller did not hear is in the transcript: ${JSON.stringify(t)}`);
			assert.match(log, new RegExp(`voice: call ${c.id}: the caller heard only "Let me look up your order\\.`));
			// the model saw the tool's result once, was told what the caller heard, then the second question
			const chats = s.ms.chatRequests().slice(seen);
			assert.equal(chats.length, 3, `${chats.length} model requests`);
			const last = chats[2].body.messages;
			assert.equal(last.filter((m) => m.role === 'tool').length, 1, JSON.stringify(last));
			const note = last.findIndex((m) => m.role === 'system' && /interrupted your last answer/.test(m.content));
			const asked = last.findIndex((m) => m.role === 'user' && m.content === 'can i speak to a human please');
			assert.ok(note > 0 && asked > note, JSON.stringify(last));
			assert.equal(c.status, 'ended_by_customer', JSON.stringify(c));
			for (const l of log.split('\n'))
				if (l.includes(`call ${c.id}: `) && /heard|delay message|barge-in|turn:/.test(l))
					console.log(`    note: ${l.replace(/^.*voice: /, '')}`);
		} finally {
			sink.close();
		}
	},
});

// ---- voicemail ---------------------------------------------------------------------------

/* Raw mu-law of an answering machine: its greeting (espeak), a second of
 * silence, its beep (sox: 0.4 s of 1000 Hz), 0.3 s of silence. Times in ms
 * from the start of the stream. */
function voicemailAudio(dir) {
	const greeting = fs.readFileSync(speak(dir, 'vm-greeting', 'You have reached Sam. Please leave a message after the tone.'));
	const beep = path.join(dir, 'beep.ul');
	const r = spawnSync('sox', ['-n', '-r', '8000', '-c', '1', '-t', 'raw', '-e', 'mu-law', beep,
		'synth', '0.4', 'sine', '1000'], { timeout: 10000 });
	if (r.status !== 0)
		throw new Error(`sox failed: ${r.stderr}`);
	const file = path.join(dir, 'voicemail.ul');
	fs.writeFileSync(file, Buffer.concat([greeting, Buffer.alloc(8000, 0xff), fs.readFileSync(beep),
		Buffer.alloc(2400, 0xff)]));
	const beepAt = (greeting.length + 8000) / 8;
	return { file, greetingMs: greeting.length / 8, beepAt, beepEnd: beepAt + 400 };
}

/* An outbound call to a phone streaming `audio`; resolves the ended call. */
async function streamedCall(number, to, audio, settings, sink) {
	const port = await freePort();
	const asst = await outboundLine(number, port, { max_silence_duration: 4,
		expected_phrases: ['hello', 'who is calling'], ...settings });
	const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_stream.xml', { RTPPORT: sink.port, AUDIO: audio }),
		{ port, mediaPort: await freePort() });
	await sleep(300);
	const id = await makeCall(asst, to);
	const c = await waitCall(id, ended, 'the end', 30000);
	sippOk(await phone, 'UAS (BYE from the agent)');
	return c;
}

const MESSAGE = 'Hello Sam, this is the Switchboard test assistant. Please call us back. Goodbye.';

tests.push({
	name: 'voicemail with end_call_on_voicemail: the beep is detected, answered_by machine, BYE, completed',
	async fn() {
		const sink = await new RtpSink().open();
		try {
			const vm = voicemailAudio(s.sb.dir);
			const c = await streamedCall('+4930900030', '+4915100000300', vm.file,
				{ end_call_on_voicemail: true, voicemail_message: MESSAGE }, sink);
			assert.equal(c.status, 'completed', JSON.stringify(c));
			assert.equal(c.end_reason, 'voicemail reached (beep)');
			assert.equal(c.answered_by, 'machine');
			assert.ok(c.duration >= Math.floor(vm.beepAt / 1000) && c.duration <= vm.beepEnd / 1000 + 3,
				`duration ${c.duration}`);
			assert.ok(!c.transcript.some((t) => t.text === MESSAGE), 'the message was left');
			assert.match(s.server.log(), new RegExp(`voice: call ${c.id}: voicemail beep \\(1000 Hz, (3[6-9]|4[0-2])0 ms\\)`));
			// hung up at the beep, not later
			const bye = Date.parse(c.ended_at) - Date.parse(c.answered_at);
			assert.ok(bye >= vm.beepEnd - 300 && bye <= vm.beepEnd + 1500, `BYE ${bye} ms after the answer, beep ended at ${vm.beepEnd}`);
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'voicemail without end_call_on_voicemail: the voicemail_message is left after the beep, then BYE',
	async fn() {
		const sink = await new RtpSink().open();
		try {
			const vm = voicemailAudio(s.sb.dir);
			const c = await streamedCall('+4930900031', '+4915100000310', vm.file,
				{ end_call_on_voicemail: false, voicemail_message: MESSAGE }, sink);
			assert.equal(c.status, 'completed', JSON.stringify(c));
			assert.equal(c.end_reason, 'voicemail message left');
			assert.equal(c.answered_by, 'machine');
			const answered = Date.parse(c.answered_at);
			const last = c.transcript[c.transcript.length - 1];
			assert.equal(last.sender, 'bot', JSON.stringify(c.transcript));
			assert.equal(last.text, MESSAGE);
			assert.ok(last.timestamp * 1000 - answered >= vm.beepEnd - 200,
				`message at ${last.timestamp * 1000 - answered} ms, the beep ended at ${vm.beepEnd} ms`);
			// the message went out as speech after the beep, and the BYE after it
			const after = sink.packets.filter((x) => x.t >= answered + vm.beepEnd && x.loud).length;
			assert.ok(after >= 100, `only ${after} speech packets after the beep`);
			assert.ok(Date.parse(c.ended_at) - answered >= vm.beepEnd + 2000, 'BYE before the message was said');
			assert.match(s.server.log(), new RegExp(`voice: call ${c.id}: leaving the voicemail message`));
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'a person answers (speech, no beep): answered_by human, the call goes on',
	async fn() {
		const sink = await new RtpSink().open();
		try {
			const audio = speak(s.sb.dir, 'person', 'Hello? Yes, this is Maria speaking. Who is calling, please? '
				+ 'Oh, hello. Well, I am quite busy right now, but go on.');
			const c = await streamedCall('+4930900032', '+4915100000320', audio,
				{ end_call_on_voicemail: true, voicemail_message: MESSAGE }, sink);
			assert.equal(c.answered_by, 'human', JSON.stringify(c));
			assert.equal(c.status, 'completed');
			assert.match(c.end_reason, /max_silence_duration/);
			assert.ok(c.transcript.some((t) => t.sender === 'human'), JSON.stringify(c.transcript));
			assert.ok(!c.transcript.some((t) => t.text === MESSAGE), 'the voicemail message was left');
			assert.doesNotMatch(s.server.log(), new RegExp(`voice: call ${c.id}: (voicemail beep|answered by a machine)`));
		} finally {
			sink.close();
		}
	},
});

// ---- a second server: the HTTP speech engines, inbound calls that ring first --------------

/* Started on first use: its own sandbox and SIP port, SWITCHBOARD_STT and
 * SWITCHBOARD_TTS = http against a local speech server, the same model
 * server, inbound calls answered after ringing 1 s, no dialer. */
async function altServer() {
	if (s.alt)
		return s.alt;
	const sb = await s.ctx.sandbox();
	const acc = await sb.account('Voice over HTTP speech', { balance: 100 });
	const key = await sb.key(acc, 'read,write,spend');
	const ss = await startSpeechServer();
	s.ctx.defer(() => ss.close());
	const sipPort = await freePort();
	const server = await sb.startServer([], {
		SWITCHBOARD_SIP_DISABLE: '0', SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${sipPort}`,
		SWITCHBOARD_RTP_PORTS: '32000-32999', SWITCHBOARD_ANSWER_DELAY_MS: '1000', SWITCHBOARD_DIALER_DISABLE: '1',
		SWITCHBOARD_STT: 'http', SWITCHBOARD_STT_URL: ss.url, SWITCHBOARD_STT_MODEL: 'whisper-test', SWITCHBOARD_STT_KEY: 'stt-key',
		SWITCHBOARD_TTS: 'http', SWITCHBOARD_TTS_URL: ss.url, SWITCHBOARD_TTS_MODEL: 'tts-test', SWITCHBOARD_TTS_VOICE: 'nova',
		SWITCHBOARD_TTS_KEY: 'tts-key', SWITCHBOARD_LOG: 'info',
		SWITCHBOARD_LLM_URL: s.ms.url, SWITCHBOARD_LLM_MODEL: 'test-model',
		SWITCHBOARD_LLM_TIMEOUT_MS: '3000', SWITCHBOARD_LLM_TRIES: '1',
	});
	s.alt = { sb, acc, server, sipPort, ss };
	s.alt.ctl = await mcp(key, '/mcp', {}, server);
	return s.alt;
}

/* A number with an inbound assistant on the second server. */
async function altInboundLine(alt, number, settings = {}) {
	const id = await alt.sb.number(alt.acc, number, { type: 'inbound' });
	const a = await callOk(alt.ctl, 'create_assistant', { assistant_name: `In ${number}`, calls_direction: 'receive',
		phone_number_id: id, initial_message: 'Thank you for calling. How can I help?',
		allow_interruptions: false, ...settings });
	return a.data?.id ?? a.id;
}

async function altNewestCall(alt, after) {
	const until = Date.now() + 15000;
	while (Date.now() < until) {
		const c = (await callOk(alt.ctl, 'list_calls', { per_page: 1 })).data?.[0];
		if (c && c.id > after)
			return c;
		await sleep(100);
	}
	throw new Error('no new call appeared on the second server');
}

async function altWaitEnd(alt, id) {
	const until = Date.now() + 20000;
	let c;
	while (Date.now() < until) {
		c = await callOk(alt.ctl, 'get_call', { call_id: id });
		if (ended(c))
			return c;
		await sleep(100);
	}
	throw new Error(`call ${id} on the second server did not end: ${JSON.stringify(c).slice(0, 600)}`);
}

tests.push({
	name: 'HTTP speech engines: the utterance goes out as a multipart WAV, the transcript to the model, its answer through /v1/audio/speech onto RTP',
	async fn() {
		const alt = await altServer(), sink = await new RtpSink().open();
		try {
			await altInboundLine(alt, '+4930900040', { max_silence_duration: 30 });
			const heard = 'I would like a table for two tonight.';
			const reply = 'Certainly. Your table for two is booked for tonight.';
			alt.ss.script(heard);
			s.ms.script({ content: reply });
			const seenChats = s.ms.chatRequests().length;
			const audio = speak(s.sb.dir, 'table', 'I would like a table for two tonight please');
			const after = (await callOk(alt.ctl, 'list_calls', { per_page: 1 })).data?.[0]?.id ?? 0;
			const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: sink.port, AUDIO: audio, WAITMS: 2500, TALKMS: 7000 });
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${alt.sipPort}`,
				service: '+4930900040', mediaPort: await freePort() }), 'UAC');
			const c = await altWaitEnd(alt, (await altNewestCall(alt, after)).id);
			assert.equal(c.status, 'ended_by_customer', JSON.stringify(c));
			// it rang SWITCHBOARD_ANSWER_DELAY_MS before the answer
			assert.ok(Date.parse(c.answered_at) - Date.parse(c.created_at) >= 900,
				`answered ${Date.parse(c.answered_at) - Date.parse(c.created_at)} ms after the INVITE`);
			// the caller's utterance: one multipart POST with a 16-bit 8 kHz mono WAV
			assert.deepEqual(alt.ss.errors, []);
			assert.equal(alt.ss.transcriptions.length, 1, `${alt.ss.transcriptions.length} transcription requests`);
			const t = alt.ss.transcriptions[0];
			assert.match(t.headers['content-type'], /^multipart\/form-data; boundary=/);
			assert.equal(t.headers.authorization, 'Bearer stt-key');
			assert.deepEqual(Object.keys(t.parts).sort(), ['file', 'model', 'response_format']);
			assert.equal(t.parts.file.filename, 'utterance.wav');
			assert.equal(t.parts.file.type, 'audio/wav');
			assert.equal(t.parts.model.data.toString(), 'whisper-test');
			assert.equal(t.parts.response_format.data.toString(), 'json');
			const w = t.wav;
			assert.deepEqual({ format: w.format, channels: w.channels, rate: w.rate, bits: w.bits, byteRate: w.byteRate,
				blockAlign: w.blockAlign }, { format: 1, channels: 1, rate: 8000, bits: 16, byteRate: 16000, blockAlign: 2 });
			assert.equal(w.dataSize, w.dataBytes, 'data chunk size');
			assert.equal(w.riffSize, t.parts.file.data.length - 8, 'RIFF size');
			const secs = w.dataSize / 16000;
			assert.ok(secs >= 2 && secs <= 6, `a ${secs} s utterance`);
			// the transcript reached the model, its answer the speech server
			assert.ok(c.transcript.some((x) => x.sender === 'human' && x.text === heard), JSON.stringify(c.transcript));
			assert.ok(c.transcript.some((x) => x.sender === 'bot' && x.text === reply), JSON.stringify(c.transcript));
			assert.ok(s.ms.chatRequests().slice(seenChats).some((r) => JSON.stringify(r.body.messages).includes(heard)));
			// sentence by sentence: the greeting, then the answer
			const inputs = alt.ss.speech.map((r) => r.body.input);
			assert.equal(inputs.join(' '), `Thank you for calling. How can I help? ${reply}`);
			const answering = alt.ss.speech.filter((r) => r.at >= t.at).length;
			assert.equal(alt.ss.speech.filter((r) => r.at >= t.at).map((r) => r.body.input).join(' '), reply);
			for (const r of alt.ss.speech) {
				assert.deepEqual({ ...r.body, input: undefined }, { model: 'tts-test', voice: 'nova', response_format: 'wav', input: undefined });
				assert.equal(r.headers.authorization, 'Bearer tts-key');
			}
			// every synthesis is a 1 s tone: 50 packets of sound each, the answer's after the utterance
			const loud = sink.speech(), want = 50 * alt.ss.speech.length;
			assert.ok(loud >= want - 8 && loud <= want + 8, `${loud} packets with sound for ${alt.ss.speech.length} syntheses`);
			const late = sink.packets.filter((p) => p.loud && p.t >= t.at).length;
			assert.ok(late >= 50 * answering - 8, `${late} packets with sound after the transcription`);
			console.log(`    note: ${sink.packets.length} RTP packets, ${loud} with sound; ${alt.ss.speech.length} syntheses, a ${secs.toFixed(2)} s utterance`);
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'the assistant\'s voice, speech_speed and language reach the HTTP engines (voice + speed, language)',
	async fn() {
		const alt = await altServer(), sink = await new RtpSink().open();
		try {
			await altInboundLine(alt, '+4930900042', { max_silence_duration: 30, voice_id: 8, language: 'German',
				speech_speed: 1.1, initial_message: 'Guten Tag, wie kann ich helfen?' });
			alt.ss.script('Ich hätte gern einen Tisch für zwei.');
			s.ms.script({ content: 'Gern, der Tisch ist reserviert.' });
			const seenSpeech = alt.ss.speech.length, seenStt = alt.ss.transcriptions.length;
			const audio = speak(s.sb.dir, 'tisch', 'I would like a table for two tonight please');
			const after = (await callOk(alt.ctl, 'list_calls', { per_page: 1 })).data?.[0]?.id ?? 0;
			const f = scenario(s.sb.dir, 'uac_say.xml', { RTPPORT: sink.port, AUDIO: audio, WAITMS: 2500, TALKMS: 6000 });
			sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${alt.sipPort}`,
				service: '+4930900042', mediaPort: await freePort() }), 'UAC');
			const c = await altWaitEnd(alt, (await altNewestCall(alt, after)).id);
			const speech = alt.ss.speech.slice(seenSpeech);
			assert.ok(speech.length >= 2, `${speech.length} syntheses`);
			for (const r of speech)
				assert.deepEqual({ voice: r.body.voice, speed: r.body.speed }, { voice: 'alloy', speed: 1.1 }, JSON.stringify(r.body));
			const stt = alt.ss.transcriptions.slice(seenStt);
			assert.equal(stt.length, 1);
			assert.equal(stt[0].parts.language?.data.toString(), 'de');
			assert.ok(c.transcript.some((x) => x.sender === 'human' && x.text === 'Ich hätte gern einen Tisch für zwei.'),
				JSON.stringify(c.transcript));
			assert.match(alt.server.log(), new RegExp(`voice: call ${c.id}: speaking as 'alloy' at 1\\.10x \\(http\\), language de`));
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'inbound call cancelled while ringing (CANCEL after 180): 487, ended_by_customer, nothing charged',
	async fn() {
		const alt = await altServer();
		await altInboundLine(alt, '+4930900041');
		const before = (await callOk(alt.ctl, 'get_me', {})).balance;
		const after = (await callOk(alt.ctl, 'list_calls', { per_page: 1 })).data?.[0]?.id ?? 0;
		const f = scenario(s.sb.dir, 'uac_cancel.xml', { RTPPORT: 40012, WAITMS: 300 });
		sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${alt.sipPort}`,
			service: '+4930900041', mediaPort: await freePort() }), 'UAC (180, CANCEL, 200, 487)');
		const c = await altWaitEnd(alt, (await altNewestCall(alt, after)).id);
		assert.equal(c.type, 'inbound');
		assert.equal(c.status, 'ended_by_customer', JSON.stringify(c));
		assert.equal(c.end_reason, 'the caller hung up before the answer');
		assert.equal(c.duration, 0);
		assert.equal(c.total_cost, '0.00');
		assert.equal(c.answered_at ?? null, null);
		assert.deepEqual(c.transcript, []);
		await sleep(1200);	// past the answer delay: no late 200 OK, no charge
		assert.equal((await callOk(alt.ctl, 'get_me', {})).balance, before);
		const log = alt.server.log();
		assert.match(log, new RegExp(`voice: call ${c.id} ended_by_customer \\(the caller hung up before the answer\\): 0s`));
		assert.doesNotMatch(log, new RegExp(`voice: call ${c.id}: established`));
	},
});

// ---- stdio: a client without the SIP line --------------------------------------------------

tests.push({
	name: 'make_call over stdio (a desktop client): the serving process with the SIP line claims and dials it, once',
	async fn() {
		const { StdioClientTransport } = await sdk('client/stdio.js');
		const port = await freePort(), sink = await new RtpSink().open();
		const transport = new StdioClientTransport({ command: BIN, args: ['stdio', '--db', s.sb.db],
			env: serverEnv({ SWITCHBOARD_API_KEY: s.key }), stderr: 'pipe' });
		let stderr = '';
		transport.stderr?.on('data', (d) => { stderr += d; });
		const client = new Client({ name: 'voice-test-stdio', version: '1.0.0' }, { capabilities: {} });
		await client.connect(transport);
		try {
			const asst = await outboundLine('+4930900070', port, { max_silence_duration: 2 });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_answer.xml', { RTPPORT: sink.port }),
				{ port, mediaPort: await freePort() });
			await sleep(300);
			const args = { assistant_id: asst, phone_number: '+4915100000700' };
			const pv = await callOk(client, 'make_call', args);
			assert.equal(pv.status, 'confirmation_required');
			const made = await callOk(client, 'make_call', { ...args, confirmation_token: pv.confirmation_token });
			assert.equal(made.status, 'initiated');
			const c = await waitCall(made.call_id, ended, 'the end', 30000);
			sippOk(await phone, 'UAS (one INVITE, answered, BYE from the agent)');
			assert.equal(c.status, 'completed', JSON.stringify(c));
			assert.match(c.end_reason, /max_silence_duration/);
			assert.ok(sink.speech() >= 40, `only ${sink.speech()} packets with speech`);
			// the stdio process left it (there is a line process), the server dialled it
			assert.match(stderr, new RegExp(`calls: call ${made.call_id} left for the process with a SIP line`));
			assert.doesNotMatch(stderr, /failed/);
			assert.equal((s.server.log().match(new RegExp(`voice: call ${made.call_id}: dialling `, 'g')) ?? []).length, 1);
		} finally {
			sink.close();
			await client.close();
		}
		assert.equal(sanitizerReport(stderr), null, stderr.slice(-2000));
	},
});

// ---- scale-out: Kamailio's dispatcher in front of several nodes --------------------------

const KAMAILIO = '/usr/sbin/kamailio';

/* Kamailio (tests/voice/kamailio.cfg) on a free port, dispatching to the
 * nodes' SIP ports; resolves once it answers an OPTIONS. */
async function startKamailio(name, nodes) {
	if (!fs.existsSync(KAMAILIO))
		throw new Error(`${KAMAILIO} is missing: scripts/setup.sh installs the kamailio package`);
	const port = await freePort();
	const list = path.join(s.sb.dir, `${name}.list`);
	fs.writeFileSync(list, nodes.map((n) => `1 sip:127.0.0.1:${n} 0 0\n`).join(''));
	const cfg = scenario(s.sb.dir, 'kamailio.cfg', { LISTEN: port, LIST: list });
	const p = spawn(KAMAILIO, ['-f', cfg, '-DD', '-E', '-w', s.sb.dir], { cwd: s.sb.dir, stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '', exited = false;
	p.stdout.on('data', (d) => { log += d; });
	p.stderr.on('data', (d) => { log += d; });
	p.on('exit', () => { exited = true; });
	const stop = async () => {
		if (exited)
			return;
		p.kill('SIGTERM');
		for (let i = 0; i < 50 && !exited; i++)
			await sleep(100);
		if (!exited)
			p.kill('SIGKILL');
	};
	s.ctx.defer(stop);
	const sock = dgram.createSocket('udp4');
	let ready = false;
	sock.on('message', (m) => { if (m.toString().startsWith('SIP/2.0 200')) ready = true; });
	await new Promise((r) => sock.bind(0, '127.0.0.1', r));
	for (let i = 0; i < 50 && !ready && !exited; i++) {
		const lp = sock.address().port;
		sock.send(`OPTIONS sip:127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK-probe${i}\r\n`
			+ `From: <sip:probe@127.0.0.1:${lp}>;tag=p${i}\r\nTo: <sip:127.0.0.1:${port}>\r\nCall-ID: probe-${i}@test\r\n`
			+ 'CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n', port, '127.0.0.1');
		await sleep(100);
	}
	sock.close();
	if (!ready)
		throw new Error(`kamailio did not start: ${log.slice(-1500)}`);
	return { port, log: () => log, stop };
}

/* The calls of a node (its control-plane client) newer than `after`, once ended. */
async function endedCallsAfter(ctl, after, count) {
	const until = Date.now() + 20000;
	let calls = [];
	while (Date.now() < until) {
		calls = (await callOk(ctl, 'list_calls', { per_page: 20 })).data.filter((c) => c.id > after);
		if (calls.length >= count && calls.every(ended))
			return calls;
		await sleep(200);
	}
	throw new Error(`${calls.length} calls, not ${count} ended: ${JSON.stringify(calls).slice(0, 600)}`);
}

tests.push({
	name: 'Kamailio dispatcher in front of two nodes: OPTIONS probes answered, calls split round-robin, ACK and BYE routed through it; a dead node is skipped',
	async fn() {
		const alt = await altServer();
		const number = '+4930900050';
		await inboundLine(number, { max_silence_duration: 30 });
		await altInboundLine(alt, number, { max_silence_duration: 30 });
		const lastOf = async (ctl) => (await callOk(ctl, 'list_calls', { per_page: 1 })).data?.[0]?.id ?? 0;
		const kam = await startKamailio('two-nodes', [s.sipPort, alt.sipPort]);
		// a few probe rounds: a node that did not answer OPTIONS would be inactive now
		await sleep(2500);
		let afterA = await lastOf(s.ctl), afterB = await lastOf(alt.ctl);
		const f = scenario(s.sb.dir, 'uac_rr.xml', { TALKMS: 2500 });
		sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${kam.port}`, service: number,
			calls: 4, mediaPort: await freePort() }), 'UAC through Kamailio');
		const a = await endedCallsAfter(s.ctl, afterA, 2), b = await endedCallsAfter(alt.ctl, afterB, 2);
		assert.equal(a.length + b.length, 4, `${a.length} + ${b.length} calls`);
		for (const c of [...a, ...b]) {
			// the BYE came back through the proxy's Record-Route to the node that answered
			assert.equal(c.status, 'ended_by_customer', JSON.stringify(c));
			assert.ok(c.duration >= 2, JSON.stringify(c));
		}
		assert.doesNotMatch(kam.log(), /agent failed/, 'a live node was given up on');
		await kam.stop();
		// the first node of the set is dead: each call fails over (408 after 1 s, or
		// the probe already marked it inactive) and lands on the live node
		const dead = await freePort();
		const kam2 = await startKamailio('dead-node', [dead, s.sipPort]);
		afterA = await lastOf(s.ctl);
		sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${kam2.port}`, service: number,
			calls: 2, mediaPort: await freePort() }), 'UAC through Kamailio, one node dead');
		let c2 = await endedCallsAfter(s.ctl, afterA, 2);
		assert.ok(c2.every((c) => c.status === 'ended_by_customer'), JSON.stringify(c2));
		const failovers = (kam2.log().match(/agent failed, retry/g) ?? []).length;
		// by now the probes have marked the dead node inactive (which is what
		// would have happened to a node not answering OPTIONS above): no more
		// failovers, every call straight to the live node
		await sleep(2500);
		afterA = await lastOf(s.ctl);
		sippOk(await sipp(s.sb, f, { port: await freePort(), remote: `127.0.0.1:${kam2.port}`, service: number,
			calls: 2, mediaPort: await freePort() }), 'UAC through Kamailio, dead node probed');
		c2 = await endedCallsAfter(s.ctl, afterA, 2);
		assert.ok(c2.every((c) => c.status === 'ended_by_customer'), JSON.stringify(c2));
		assert.equal((kam2.log().match(/agent failed, retry/g) ?? []).length, failovers, 'the dead node was still tried');
		await kam2.stop();
		console.log(`    note: calls per node ${a.length}/${b.length}; with a dead node: ${failovers} failover(s) after a 408, `
			+ 'then none once the probes had marked it inactive');
	},
});

// ---- the campaign dialer and send_dtmf ---------------------------------------------------

const LIVE = ['initiated', 'ringing', 'in-progress'];

/* The number id of an assistant made by outboundLine. */
async function numberOf(asst) {
	return (await callOk(s.ctl, 'get_assistant', { id: asst })).data.phone_number_id;
}

/* A campaign on the assistant's number with these leads (each with a
 * variable), Monday to Friday 09:00-17:00 Berlin time unless overridden. */
async function campaign(asst, leads, settings = {}, client = s.ctl) {
	const c = await callOk(client, 'create_campaign', { name: `Campaign ${leads[0]}`, assistant_id: asst,
		timezone: 'Europe/Berlin', allowed_hours_start_time: '09:00', allowed_hours_end_time: '17:00',
		allowed_days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], ...settings });
	const id = c.data.id;
	for (const [i, n] of leads.entries())
		await callOk(client, 'create_lead', { campaign_id: id, phone_number: n, variables: { customer: `Lead ${i}` } });
	return id;
}

/* update_campaign_status start with its confirmation token. */
async function startCampaign(id, client = s.ctl) {
	const pv = await callOk(client, 'update_campaign_status', { campaign_id: id, action: 'start' });
	assert.equal(pv.status, 'confirmation_required');
	const r = await callOk(client, 'update_campaign_status', { campaign_id: id, action: 'start',
		confirmation_token: pv.confirmation_token });
	assert.equal(r.data.status, 'in-progress');
}

async function campaignCalls(id) {
	return (await callOk(s.ctl, 'list_calls', { campaign_id: id, per_page: 100 })).data;
}

async function campaignLeads(id) {
	return (await callOk(s.ctl, 'list_leads', { campaign_id: id, per_page: 100 })).data;
}

async function campaignGet(id, client = s.ctl) {
	return (await callOk(client, 'list_campaigns', {})).data.find((c) => c.id === id);
}

/* Poll the campaign's calls and leads every 150 ms until done(leads) holds:
 * the most calls seen live at once, and every status each lead went through. */
async function watchCampaign(id, done, ms = 40000) {
	const until = Date.now() + ms, seen = new Map();
	let maxLive = 0, leads = [];
	while (Date.now() < until) {
		const calls = await campaignCalls(id);
		maxLive = Math.max(maxLive, calls.filter((c) => LIVE.includes(c.status)).length);
		leads = await campaignLeads(id);
		for (const l of leads) {
			if (!seen.has(l.phone_number))
				seen.set(l.phone_number, new Set());
			seen.get(l.phone_number).add(l.status);
		}
		if (done(leads))
			return { maxLive, leads, seen, calls: await campaignCalls(id) };
		await sleep(150);
	}
	throw new Error(`campaign ${id} did not finish: leads ${JSON.stringify(leads.map((l) => [l.phone_number, l.status]))}`);
}

const settled = (leads) => leads.every((l) => ['completed', 'reached-max-retries'].includes(l.status));

tests.push({
	name: 'campaign: three leads, two answer and one is busy: two completed, the busy one rescheduled, retried and reached-max-retries (max_retries 2)',
	async fn() {
		const port = await freePort(), sink = await new RtpSink().open();
		try {
			const asst = await outboundLine('+4930900020', port, { max_silence_duration: 1,
				initial_message: 'Hello from the campaign.' });
			const busy = '4915100000299';
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_campaign.xml', { RTPPORT: sink.port, BUSY: busy }),
				{ port, calls: 4, mediaPort: await freePort() });
			await sleep(300);
			const id = await campaign(asst, ['+4915100000201', '+4915100000202', `+${busy}`], {
				max_retries: 2, retry_interval: 10, mark_complete_when_no_leads: true,
				phone_number_ids: [await numberOf(asst)] });
			await startCampaign(id);
			const w = await watchCampaign(id, settled);
			sippOk(await phone, 'UAS (4 calls)');
			const by = Object.fromEntries(w.leads.map((l) => [l.phone_number, l.status]));
			assert.deepEqual(by, { '+4915100000201': 'completed', '+4915100000202': 'completed',
				[`+${busy}`]: 'reached-max-retries' });
			assert.ok(w.seen.get(`+${busy}`).has('rescheduled'), `busy lead went ${[...w.seen.get(`+${busy}`)]}`);
			assert.equal(w.calls.length, 4, JSON.stringify(w.calls.map((c) => [c.client_phone_number, c.status])));
			const busyCalls = w.calls.filter((c) => c.client_phone_number === `+${busy}`)
				.sort((a, b) => a.id - b.id);
			assert.deepEqual(busyCalls.map((c) => c.status), ['busy', 'busy']);
			// the retry waited retry_interval: 10 "minutes" of 0.3 s
			const gap = Date.parse(busyCalls[1].created_at) - Date.parse(busyCalls[0].created_at);
			assert.ok(gap >= 2800, `retried after ${gap} ms`);
			for (const c of w.calls) {
				assert.equal(c.type, 'outbound');
				assert.equal(c.assistant_phone_number, '+4930900020');
				assert.match(c.campaign_name, /^Campaign/);
				assert.match(c.variables.customer, /^Lead [0-2]$/);
				if (c.client_phone_number !== `+${busy}`) {
					assert.equal(c.status, 'completed', JSON.stringify(c));
					assert.equal(c.total_cost, '0.09');
				}
			}
			assert.ok(w.maxLive >= 2, `only ${w.maxLive} live calls at once with max_calls_in_parallel 3`);
			// nothing left: mark_complete_when_no_leads completes the campaign
			const until = Date.now() + 5000;
			while ((await campaignGet(id)).status !== 'completed' && Date.now() < until)
				await sleep(100);
			assert.equal((await campaignGet(id)).status, 'completed');
			const log = s.server.log();
			assert.match(log, new RegExp(`dialer: campaign ${id}: lead \\d+: call \\d+ busy: rescheduled after attempt 1 of 2, next attempt at 2026-03-02T`));
			assert.match(log, new RegExp(`dialer: campaign ${id}: lead \\d+: call \\d+ busy: reached-max-retries after attempt 2 of 2`));
			assert.match(log, new RegExp(`dialer: campaign ${id} completed: no leads left`));
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'campaign: allowed hours that exclude now (the campaign\'s timezone): nothing is dialed',
	async fn() {
		const port = await freePort();	// no phone there: a call would fail
		const asst = await outboundLine('+4930900021', port);
		// the dialer's clock: Monday 11:00 in Berlin (CET); New York is at 05:00
		const early = await campaign(asst, ['+4915100000211'], { allowed_hours_start_time: '12:00',
			allowed_hours_end_time: '13:00' });
		const weekend = await campaign(asst, ['+4915100000212'], { allowed_days: ['saturday', 'sunday'],
			allowed_hours_start_time: '00:00', allowed_hours_end_time: '23:59' });
		const ny = await campaign(asst, ['+4915100000213'], { timezone: 'America/New_York' });
		for (const id of [early, weekend, ny])
			await startCampaign(id);
		await sleep(1500);	// seven ticks
		for (const id of [early, weekend, ny]) {
			assert.equal((await campaignCalls(id)).length, 0, `campaign ${id} dialed`);
			assert.deepEqual((await campaignLeads(id)).map((l) => l.status), ['scheduled']);
			assert.equal((await campaignGet(id)).status, 'in-progress');
		}
		const log = s.server.log();
		assert.match(log, new RegExp(`dialer: campaign ${early}: outside its allowed hours \\(monday 11:\\d\\d CET in Europe/Berlin; allowed 12:00-13:00\\)`));
		assert.match(log, new RegExp(`dialer: campaign ${weekend}: outside its allowed hours \\(monday 11:\\d\\d CET`));
		assert.match(log, new RegExp(`dialer: campaign ${ny}: outside its allowed hours \\(monday 05:\\d\\d EST in America/New_York`));
		for (const id of [early, weekend, ny])
			await callOk(s.ctl, 'update_campaign_status', { campaign_id: id, action: 'stop' });
	},
});

tests.push({
	name: 'campaign: max_calls_in_parallel 1: never two live calls at once (list_calls over time), every lead called',
	async fn() {
		const port = await freePort(), sink = await new RtpSink().open();
		try {
			const asst = await outboundLine('+4930900022', port, { max_silence_duration: 1, initial_message: 'Hi.' });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_campaign.xml', { RTPPORT: sink.port, BUSY: '0' }),
				{ port, calls: 3, mediaPort: await freePort() });
			await sleep(300);
			const id = await campaign(asst, ['+4915100000221', '+4915100000222', '+4915100000223'],
				{ max_calls_in_parallel: 1 });	// no phone_number_ids: the assistant's own number
			await startCampaign(id);
			const w = await watchCampaign(id, (leads) => leads.every((l) => l.status === 'completed'));
			sippOk(await phone, 'UAS (3 calls)');
			assert.equal(w.maxLive, 1, `${w.maxLive} live calls at once`);
			assert.equal(w.calls.length, 3);
			assert.ok(w.calls.every((c) => c.status === 'completed' && c.assistant_phone_number === '+4930900022'));
			// one after the other: each call was created after the one before ended
			const byId = [...w.calls].sort((a, b) => a.id - b.id);
			for (let i = 1; i < byId.length; i++) {
				const prev = await getCall(byId[i - 1].id);
				assert.ok(Date.parse(byId[i].created_at) >= Date.parse(prev.ended_at ?? prev.updated_at) - 5,
					`call ${byId[i].id} created before call ${prev.id} ended`);
			}
			// without mark_complete_when_no_leads the campaign waits for new leads
			assert.equal((await campaignGet(id)).status, 'in-progress');
			await callOk(s.ctl, 'update_campaign_status', { campaign_id: id, action: 'stop' });
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'campaign: stop ends the live call (BYE on the line), charged once for the time it was live, the lead waits as created, nothing more is dialed',
	async fn() {
		const port = await freePort(), sink = await new RtpSink().open();
		try {
			const asst = await outboundLine('+4930900023', port, { max_silence_duration: 30 });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_campaign.xml', { RTPPORT: sink.port, BUSY: '0' }),
				{ port, mediaPort: await freePort() });
			await sleep(300);
			const id = await campaign(asst, ['+4915100000231', '+4915100000232'], { max_calls_in_parallel: 1 });
			await startCampaign(id);
			let call;
			const until = Date.now() + 15000;
			while (Date.now() < until) {
				call = (await campaignCalls(id))[0];
				if (call?.status === 'in-progress')
					break;
				await sleep(100);
			}
			assert.equal(call?.status, 'in-progress', JSON.stringify(call));
			await sleep(1500);	// live for a while: that time is charged
			const before = (await callOk(s.ctl, 'get_me', {})).balance;
			const r = await callOk(s.ctl, 'update_campaign_status', { campaign_id: id, action: 'stop' });
			assert.deepEqual(r.data, { campaign_id: id, status: 'stopped' });
			assert.match(r.message, /1 live call ended/);
			sippOk(await phone, 'UAS (BYE after the stop)');
			const c = await waitCall(call.id, (x) => x.duration > 0, 'the duration of the stopped call', 5000);
			assert.equal(c.status, 'ended');
			assert.equal(c.end_reason, 'campaign stopped');
			assert.ok(c.duration >= 1 && c.duration <= 5, `duration ${c.duration}`);
			assert.equal(c.total_cost, '0.09');
			await sleep(600);	// charged once: the dialer's later ticks add nothing
			const after = (await callOk(s.ctl, 'get_me', {})).balance;
			assert.equal(Math.round((Number(before) - Number(after)) * 100), 9, `balance ${before} -> ${after}`);
			assert.equal((await getCall(call.id)).total_cost, '0.09');
			await sleep(1000);	// five ticks: nothing new
			assert.equal((await campaignCalls(id)).length, 1);
			assert.deepEqual((await campaignLeads(id)).map((l) => l.status), ['created', 'created']);
			assert.equal((await campaignGet(id)).status, 'stopped');
			assert.match(s.server.log(), new RegExp(`dialer: campaign ${id}: lead \\d+: call ${call.id} the campaign stop cancelled its call: created`));
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'campaign: retry_on_voicemail: a machine answers (beep), the lead is rescheduled and retried, reached-max-retries',
	async fn() {
		const port = await freePort(), sink = await new RtpSink().open();
		try {
			const vm = voicemailAudio(s.sb.dir);
			const asst = await outboundLine('+4930900033', port, { max_silence_duration: 4,
				expected_phrases: ['hello'], end_call_on_voicemail: true });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_stream.xml', { RTPPORT: sink.port, AUDIO: vm.file }),
				{ port, calls: 2, mediaPort: await freePort() });
			await sleep(300);
			const id = await campaign(asst, ['+4915100000330'], { max_retries: 2, retry_interval: 10,
				retry_on_voicemail: true });
			await startCampaign(id);
			const w = await watchCampaign(id, settled, 45000);
			sippOk(await phone, 'UAS (2 calls)');
			assert.deepEqual(w.leads.map((l) => l.status), ['reached-max-retries']);
			assert.ok(w.seen.get('+4915100000330').has('rescheduled'), `went ${[...w.seen.get('+4915100000330')]}`);
			assert.equal(w.calls.length, 2);
			for (const c of w.calls)
				assert.equal((await getCall(c.id)).answered_by, 'machine');
			assert.match(s.server.log(), new RegExp(`dialer: campaign ${id}: lead \\d+: call \\d+ voicemail \\(retry_on_voicemail\\): rescheduled after attempt 1 of 2`));
			await callOk(s.ctl, 'update_campaign_status', { campaign_id: id, action: 'stop' });
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'campaign: a balance that does not cover a minute pauses the campaign with the reason, no call',
	async fn() {
		const acc = await s.sb.account('Nearly broke', { balance: '0.05' });
		const client = await mcp(await s.sb.key(acc, 'read,write,spend'));
		const a = await callOk(client, 'create_assistant', { assistant_name: 'Broke caller', calls_direction: 'make' });
		const id = await campaign(a.data.id, ['+4915100000241'], {}, client);
		await startCampaign(id, client);
		const until = Date.now() + 5000;
		let c;
		while (Date.now() < until) {
			c = await campaignGet(id, client);
			if (c.status !== 'in-progress')
				break;
			await sleep(100);
		}
		assert.equal(c.status, 'stopped');
		assert.match(c.status_reason, /paused: the account balance \(\$0\.05\) does not cover a minute of calling \(\$0\.09\)/);
		assert.equal((await callOk(client, 'list_calls', { campaign_id: id })).total, 0);
		assert.deepEqual((await callOk(client, 'list_leads', { campaign_id: id })).data.map((l) => l.status), ['created']);
	},
});

tests.push({
	name: 'send_dtmf on our line: RFC 4733 telephone-events (payload type 101) reach the phone, \',\' pauses',
	async fn() {
		const port = await freePort(), sink = await new RtpSink().open();
		try {
			const asst = await outboundLine('+4930900024', port, { max_silence_duration: 5 });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_answer_te.xml', { RTPPORT: sink.port }),
				{ port, mediaPort: await freePort() });
			await sleep(300);
			const id = await makeCall(asst, '+4915100000240');
			await waitCall(id, (c) => c.status === 'in-progress', 'in-progress');
			const ic = await mcp(s.kInc, '/call/mcp', { account_id: String(s.acc), persona_id: String(asst),
				call_id: String(id), caller_id_number: '+4915100000240' });
			const listed = (await ic.listTools()).tools.find((t) => t.name === 'send_dtmf');
			assert.ok(listed, 'send_dtmf is not on the in-call surface');
			const bad = await ic.callTool({ name: 'send_dtmf', arguments: { digits: '12x' } });
			assert.ok(bad.isError, JSON.stringify(bad));
			const t0 = Date.now();
			const res = await ic.callTool({ name: 'send_dtmf', arguments: { digits: '1,2#d' } });
			assert.ok(!res.isError, JSON.stringify(res));
			assert.equal(res.structuredContent.status, 'sent');
			assert.equal(res.structuredContent.performed_by, 'line');
			assert.equal(res.structuredContent.digits, '1,2#d');
			assert.equal(res.structuredContent.duration_ms, 4 * 160 + 500);
			await sleep(2000);
			const got = sink.digits().filter((d) => d.first >= t0);
			assert.deepEqual(got.map((d) => d.event), [1, 2, 11, 15], JSON.stringify(got));
			for (const d of got) {
				assert.ok(d.packets >= 6 && d.packets <= 8, `digit ${d.event}: ${d.packets} packets`);
				assert.ok(d.ended, `digit ${d.event} has no end packet`);
			}
			const pause = got[1].first - got[0].last;
			assert.ok(pause >= 450, `',' paused only ${pause} ms`);
			assert.ok(got[2].first - got[1].last < 400, 'digits without a comma are not back to back');
			sippOk(await phone, 'UAS');
			const actions = (await callOk(s.ctl, 'list_call_actions', { call_id: id })).data;
			assert.ok(actions.some((a) => a.tool === 'send_dtmf' && a.outcome === 'ok'), JSON.stringify(actions));
			assert.match(s.server.log(), new RegExp(`voice: call ${id}: sending digits '1,2#d'`));
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'send_dtmf to a phone without telephone-event: the digits go as tones in the audio (heard by a Goertzel detector at the phone)',
	async fn() {
		const port = await freePort(), sink = await new RtpSink().open();
		try {
			const asst = await outboundLine('+4930900027', port, { max_silence_duration: 6,
				initial_message: 'Hello.' });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_answer.xml', { RTPPORT: sink.port }),
				{ port, mediaPort: await freePort() });
			await sleep(300);
			const id = await makeCall(asst, '+4915100000270');
			await waitCall(id, (c) => c.status === 'in-progress', 'in-progress');
			await sleep(1500);	/* the greeting is over */
			const ic = await mcp(s.kInc, '/call/mcp', { account_id: String(s.acc), persona_id: String(asst),
				call_id: String(id), caller_id_number: '+4915100000270' });
			const t0 = Date.now();
			const res = await ic.callTool({ name: 'send_dtmf', arguments: { digits: '5#1' } });
			assert.ok(!res.isError, JSON.stringify(res));
			assert.equal(res.structuredContent.performed_by, 'line');
			await sleep(1500);
			assert.equal(sink.tones(t0), '5#1');
			assert.ok(!sink.packets.some((p) => p.pt === 101), 'telephone-events sent to a phone that did not offer them');
			assert.equal(sink.tones(0).length, 3, 'tones outside the digits');
			sippOk(await phone, 'UAS');
			assert.match(s.server.log(), /media: digit '5' sent as tones in the audio/);
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'ambient_sound_volume: a soft room noise under what the agent sends, also in its pauses',
	async fn() {
		const port = await freePort(), sink = await new RtpSink().open();
		try {
			const asst = await outboundLine('+4930900029', port, { max_silence_duration: 4,
				initial_message: 'Hello.', ambient_sound_volume: 0.5 });
			const phone = sipp(s.sb, scenario(s.sb.dir, 'uas_answer.xml', { RTPPORT: sink.port }),
				{ port, mediaPort: await freePort() });
			await sleep(300);
			const id = await makeCall(asst, '+4915100000290');
			const c = await waitCall(id, ended, 'the end');
			sippOk(await phone, 'UAS');
			// the pause after the greeting: not digital silence, but far below speech
			const t = Date.parse(c.answered_at);
			const quiet = sink.packets.filter((p) => p.pcm && p.t >= t + 2000 && p.t < t + 3500);
			assert.ok(quiet.length >= 50, `${quiet.length} packets in the pause`);
			const rms = Math.sqrt(quiet.reduce((a, p) => a + p.pcm.reduce((b, v) => b + v * v, 0), 0)
				/ quiet.reduce((a, p) => a + p.pcm.length, 0));
			assert.ok(rms > 60 && rms < 400, `room noise RMS ${rms.toFixed(0)}`);
		} finally {
			sink.close();
		}
	},
});

tests.push({
	name: 'send_dtmf on a call an external engine drives: answers the action for the engine',
	async fn() {
		const asst = await inboundLine('+4930900025');
		const call = Number((await s.sb.cli(['call', 'start', '--account', String(s.acc), '--assistant', String(asst),
			'--from', '+4915100000250', '--to', '+4930900025'])).stdout.trim());
		const ic = await mcp(s.kInc, '/call/mcp', { account_id: String(s.acc), persona_id: String(asst),
			call_id: String(call), caller_id_number: '+4915100000250' });
		const res = await ic.callTool({ name: 'send_dtmf', arguments: { digits: '*9#' } });
		assert.ok(!res.isError, JSON.stringify(res));
		assert.deepEqual({ ...res.structuredContent, message: undefined }, { status: 'dtmf_requested', action: 'dtmf',
			digits: '*9#', performed_by: 'engine', duration_ms: 480, message: undefined });
		assert.match(res.structuredContent.message, /Send the keypad tones \*9#/);
		await callOk(ic, 'hangup_call', {});
	},
});

// ---- runner ----------------------------------------------------------------------------

function oneLine(e) {
	const t = String(e instanceof Error ? e.message : e).replace(/\s*\n\s*/g, ' | ');
	return t.length > 900 ? `${t.slice(0, 900)}...` : t;
}

async function main() {
	if (spawnSync('sipp', ['-v']).error) {
		console.log('FAIL voice: sipp is not installed (scripts/setup.sh installs sip-tester)');
		console.log('voice: 0 passed, 1 failed');
		process.exit(1);
	}
	await probeLeakDetection();
	s.ctx = new SuiteContext('voice');
	try {
		s.sb = await s.ctx.sandbox();
		s.acc = await s.sb.account('Voice', { balance: 100 });
		s.key = await s.sb.key(s.acc, 'read,write,spend');
		s.kInc = await s.sb.key(s.acc, 'incall');
		s.sipPort = await freePort();
		s.ms = await startModelServer();
		s.ctx.defer(() => s.ms.close());
		s.server = await s.sb.startServer([], {
			SWITCHBOARD_SIP_DISABLE: '0', SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${s.sipPort}`, SWITCHBOARD_RING_TIMEOUT: '2',
			SWITCHBOARD_RTP_PORTS: '31000-31999', SWITCHBOARD_STT: process.env.VOICE_STT ?? 'sphinx',
			SWITCHBOARD_STT_POOL: '1', SWITCHBOARD_LOG: 'info',
			// a slow tool's delay message after 0.8 s; the test CRM is on loopback
			SWITCHBOARD_TOOL_DELAY_MS: '800', SWITCHBOARD_HTTP_ALLOW: '127.0.0.1/32',
			// trunks added while serving register within half a second
			SWITCHBOARD_SIP_REG_SCAN_MS: '500',
			// the campaign dialer: a fast tick, a retry "minute" of 0.3 s, and a
			// clock that starts on Monday 2026-03-02 11:00 in Berlin (CET)
			SWITCHBOARD_DIALER_TICK_MS: '200', SWITCHBOARD_DIALER_MINUTE_S: '0.3',
			SWITCHBOARD_DIALER_NOW: DIALER_NOW,
			...(process.env.VOICE_DUMP ? { SWITCHBOARD_VOICE_DUMP_DIR: process.env.VOICE_DUMP } : {}),
			SWITCHBOARD_LLM_URL: s.ms.url, SWITCHBOARD_LLM_MODEL: 'test-model',
			SWITCHBOARD_LLM_TIMEOUT_MS: '3000', SWITCHBOARD_LLM_TRIES: '1',
			// sphinxbase's JSGF parser leaks a little per grammar (third party)
			LSAN_OPTIONS: `suppressions=${path.join(DIR, 'lsan.supp')}`,
		});
		s.ctl = await mcp(s.key);
	} catch (e) {
		console.log(`FAIL voice: setup: ${oneLine(e)}`);
		console.log('voice: 0 passed, 1 failed');
		process.exit(1);
	}
	for (const t of tests) {
		if (filters.length && !filters.some((f) => t.name.includes(f)))
			continue;
		let timer;
		try {
			await Promise.race([t.fn(), new Promise((_, rej) => {
				timer = setTimeout(() => rej(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
			})]);
			passed++;
			console.log(`ok  ${t.name}`);
		} catch (e) {
			failed++;
			console.log(`FAIL ${t.name}: ${oneLine(e)}`);
		} finally {
			clearTimeout(timer);
		}
	}
	for (const fn of s.ctx.cleanups.reverse())
		try { await fn(); } catch { /* closing */ }
	const problems = await s.server.stop();
	if (s.alt)
		problems.push(...(await s.alt.server.stop()).map((p) => `second server: ${p}`));
	if (problems.length) {
		failed++;
		console.log(`FAIL voice: server: ${problems.join('; ')}`);
	}
	if (failed) {
		console.log(s.server.log().split('\n').slice(-80).map((l) => `  | ${l}`).join('\n'));
		if (s.alt)
			console.log(s.alt.server.log().split('\n').slice(-40).map((l) => `  2| ${l}`).join('\n'));
	} else {
		s.sb.remove();
		s.alt?.sb.remove();
	}
	console.log(`voice: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main();
