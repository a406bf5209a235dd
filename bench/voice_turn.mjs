// voice_turn.mjs - voice turn latency (a benchmark, not a test): a caller
// (sipp) says a sentence TURNS times with pauses; each answer comes from a
// local model server that answers at once, so the figure is ours: the
// server logs per turn the time from the end of the caller's speech (the
// end-pointer's decision) to the answer's first audio queued on the line,
// and its parts (speech-to-text, model to first sentence, text-to-speech).
// Printed: median and p90 over the turns, the goal (250 ms, model
// excluded) and the ratio to it, and the fixed waits in front of it
// (end-pointing silence, jitter buffer) that a caller also hears.
// Run by bench/voice_turn.sh (release build, loopback, bounded).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const E2E = path.join(ROOT, 'tests/e2e');
const sdk = (p) => import(pathToFileURL(path.join(E2E, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href);
const { Client } = await sdk('client/index.js');
const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
const { startModelServer } = await import(pathToFileURL(path.join(E2E, 'model_server.mjs')).href);

const BIN = process.env.SWITCHBOARD_BIN || path.join(ROOT, 'build/switchboard');
const TURNS = Number(process.env.VOICE_TURNS || 12);
const GOAL_MS = 250;
const HANGOVER_MS = Number(process.env.SWITCHBOARD_VAD_HANGOVER_MS || 600);
const PHRASE = 'I would like to book an appointment for tomorrow';
const ANSWER = 'Certainly. I have booked you for tomorrow at nine.';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
	return new Promise((resolve) => {
		const s = net.createServer();
		s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
	});
}

function run(cmd, args, env = {}) {
	const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30000 });
	if (r.status !== 0)
		throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
	return r.stdout.trim();
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

const T = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-voice-turn-'));
const db = path.join(T, 'sb.db');
let server, ms;
try {
	const acc = run(BIN, ['account', 'create', '--name', 'Bench', '--balance', '1000', '--db', db]);
	const key = run(BIN, ['key', 'create', '--account', acc, '--scopes', 'read,write', '--db', db]);
	const num = run(BIN, ['number', 'add', '--account', acc, '--number', '+4930990001', '--type', 'inbound', '--db', db]);
	ms = await startModelServer();
	for (let i = 0; i < TURNS; i++)
		ms.script({ content: ANSWER });
	const http = await freePort(), sip = await freePort();
	let log = '';
	server = spawn(BIN, ['serve', '--db', db, '--port', String(http)], { env: { ...process.env,
		SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${sip}`, SWITCHBOARD_RTP_PORTS: '34000-34999', SWITCHBOARD_LOG: 'info',
		SWITCHBOARD_STT: 'sphinx', SWITCHBOARD_STT_POOL: '1', SWITCHBOARD_DIALER_DISABLE: '1',
		SWITCHBOARD_LLM_URL: ms.url, SWITCHBOARD_LLM_MODEL: 'bench-model' }, stdio: ['ignore', 'pipe', 'pipe'] });
	server.stdout.on('data', (d) => { log += d; });
	server.stderr.on('data', (d) => { log += d; });
	for (let i = 0; i < 100 && !/serving on/.test(log); i++)
		await sleep(50);
	const c = new Client({ name: 'bench', version: '1' });
	await c.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${http}/mcp`),
		{ requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
	const r = await c.callTool({ name: 'create_assistant', arguments: { assistant_name: 'Turns', calls_direction: 'receive',
		phone_number_id: Number(num), initial_message: 'Hello.', max_silence_duration: 120, max_call_duration: 600,
		allow_interruptions: false, expected_phrases: [PHRASE, 'Goodbye'] } });
	if (r.isError)
		throw new Error(JSON.stringify(r));
	await c.close();

	// the caller: the sentence, then 4 s of silence (the answer is said), TURNS times
	run('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', path.join(T, 'p.wav'), PHRASE]);
	run('sox', [path.join(T, 'p.wav'), '-r', '8000', '-c', '1', '-t', 'raw', '-e', 'mu-law', path.join(T, 'p.ul')]);
	const phrase = fs.readFileSync(path.join(T, 'p.ul')), gap = Buffer.alloc(32000, 0xff);
	fs.writeFileSync(path.join(T, 'talk.ul'), Buffer.concat(Array.from({ length: TURNS }, () => [phrase, gap]).flat()));
	const talkMs = Math.ceil(TURNS * (phrase.length + gap.length) / 8) + 3000;
	const xml = fs.readFileSync(path.join(ROOT, 'tests/voice/uac_say.xml'), 'utf8').replaceAll('@RTPPORT@', String(await freePort()))
		.replaceAll('@AUDIO@', path.join(T, 'talk.ul')).replaceAll('@WAITMS@', '1500').replaceAll('@TALKMS@', String(talkMs));
	fs.writeFileSync(path.join(T, 'talk.xml'), xml);
	const sp = await freePort();
	// asynchronously: the model server answers from this process meanwhile
	const sipp = await new Promise((resolve) => {
		const p = spawn('sipp', ['-sf', path.join(T, 'talk.xml'), '-i', '127.0.0.1', '-p', String(sp), '-mp', String(sp + 2),
			'-s', '+4930990001', '-m', '1', '-timeout', `${Math.ceil(talkMs / 1000) + 30}s`, '-timeout_error', '-nostdin',
			`127.0.0.1:${sip}`], { cwd: T, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.stderr.on('data', (d) => { out += d; });
		const kill = setTimeout(() => p.kill('SIGKILL'), talkMs + 40000);
		p.on('close', (status) => { clearTimeout(kill); resolve({ status, out }); });
	});
	if (sipp.status !== 0)
		throw new Error(`sipp exited ${sipp.status}: ${sipp.out.slice(-800)}`);
	await sleep(500);

	const turns = [...log.matchAll(/turn: answer audio queued (\d+) ms after the end of speech \(speech-to-text (\d+), model to first sentence (\d+), text-to-speech (\d+) ms\)/g)]
		.map((m) => ({ total: +m[1], stt: +m[2], model: +m[3], tts: +m[4] }));
	const heard = [...log.matchAll(/heard "([^"]*)"/g)].map((m) => m[1]);
	if (turns.length < TURNS / 2)
		throw new Error(`only ${turns.length} of ${TURNS} turns measured; the log:\n${log.split('\n')
			.filter((l) => /voice|brain|llm/.test(l)).slice(-40).join('\n')}`);
	const col = (k) => turns.map((t) => t[k]);
	const excl = turns.map((t) => t.total - t.model);
	// what the local model server itself took to its first content chunk is ~0: its
	// share of "model" is our brain (prompt, HTTP, SSE parsing)
	console.log(`voice turn: ${turns.length} of ${TURNS} turns measured (heard correctly: ${heard.filter((h) => h === PHRASE.toLowerCase()).length})`);
	console.log('voice turn: ms from the end of speech to the answer\'s first audio queued  median  p90');
	for (const [name, xs] of [['total (local model answering at once)', col('total')], ['  speech-to-text (pocketsphinx, grammar)', col('stt')],
		['  model to first sentence (brain + HTTP + local model)', col('model')], ['  text-to-speech of the first sentence (espeak-ng)', col('tts')],
		['total, model excluded', excl]])
		console.log(`voice turn:   ${name.padEnd(58)} ${String(pct(xs, 0.5)).padStart(5)} ${String(pct(xs, 0.9)).padStart(5)}`);
	console.log(`voice turn: goal <= ${GOAL_MS} ms model excluded: median ${pct(excl, 0.5)} ms = ${(pct(excl, 0.5) / GOAL_MS).toFixed(2)}x the goal, p90 ${(pct(excl, 0.9) / GOAL_MS).toFixed(2)}x`);
	console.log(`voice turn: in front of that a caller also waits the end-pointing silence (${HANGOVER_MS} ms, SWITCHBOARD_VAD_HANGOVER_MS),`
		+ ' the jitter buffer (60 ms) and up to one 20 ms frame until the audio leaves');
} finally {
	if (server) {
		server.kill('SIGTERM');
		await new Promise((r) => { server.on('exit', r); setTimeout(r, 5000); });
	}
	ms?.close();
	fs.rmSync(T, { recursive: true, force: true });
}
