// lib.mjs - the end-to-end harness: sandboxes (temp dir + database made with
// the switchboard CLI), servers started on a free port and stopped with a
// sanitizer check, SDK client helpers, the tool-coverage ledger and the
// result checks every successful tool call goes through.
//
// A test file default-exports defineSuite({ name, setup(ctx), tests: [{ name,
// fn(ctx), timeout? }] }). run.mjs runs the tests in order with a timeout each,
// then stops every server the suite started and fails the suite when a server
// exits dirty (non-zero status, sanitizer report, leak report).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(E2E_DIR, '../..');
export const BIN = path.resolve(REPO, process.env.SWITCHBOARD_BIN || 'build/san/switchboard');

const CLI_TIMEOUT_MS = 15000;
const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 15000;

// ---- sanitizer environment ---------------------------------------------------

const SANITIZER_PATTERNS = [
	/ERROR: AddressSanitizer/,
	/ERROR: LeakSanitizer/,
	/runtime error:/,
	/SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer/,
	/LeakSanitizer has encountered a fatal error/,
	// the TSan build (make TSAN=1): a race or lock misuse fails the run
	/WARNING: ThreadSanitizer/,
	/SUMMARY: ThreadSanitizer/,
	/ThreadSanitizer: (CHECK failed|unexpected memory mapping)/,
];

/* The first sanitizer line in `text`, or null. */
export function sanitizerReport(text) {
	for (const line of String(text).split('\n'))
		if (SANITIZER_PATTERNS.some((re) => re.test(line)))
			return line.trim();
	return null;
}

let leakMode = null;   // { detect: 0|1, note }

/* Can LeakSanitizer run here (it needs ptrace)? Probed once with a command
 * that exits right away; on failure leaks are not checked and the runner says so. */
export async function probeLeakDetection() {
	if (leakMode)
		return leakMode;
	const r = await run(BIN, ['version'], {
		env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' }, timeout: CLI_TIMEOUT_MS,
	});
	if (r.code === 0 && !/LeakSanitizer (has encountered a fatal error|does not work)/.test(r.stderr))
		leakMode = { detect: 1, note: 'leak detection on (ASAN_OPTIONS=detect_leaks=1)' };
	else
		leakMode = { detect: 0, note: `leak detection OFF: LeakSanitizer cannot run here (${(r.stderr.trim().split('\n')[0] || `exit ${r.code}`)}); using detect_leaks=0` };
	return leakMode;
}

/* Environment for every switchboard process the tests start. */
export function serverEnv(extra = {}) {
	const detect = leakMode ? leakMode.detect : 1;
	return {
		...process.env,
		SWITCHBOARD_CHECK_OUTPUT: '1',
		// these suites do not place SIP calls (tests/voice does): no port 5060
		SWITCHBOARD_SIP_DISABLE: '1',
		ASAN_OPTIONS: `detect_leaks=${detect}:abort_on_error=0:halt_on_error=1`,
		UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
		// the TSan build: report every race, keep running, exit 66 at the end
		TSAN_OPTIONS: process.env.TSAN_OPTIONS ||
			`halt_on_error=0:exitcode=66:second_deadlock_stack=1:suppressions=${path.join(REPO, 'tests/tsan.supp')}`,
		...extra,
	};
}

// ---- processes ------------------------------------------------------------------

/* Run a command to completion with a time limit: {code, signal, stdout, stderr}. */
export function run(cmd, args, { env, timeout = CLI_TIMEOUT_MS, input, cwd } = {}) {
	return new Promise((resolve) => {
		const p = spawn(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '', stderr = '', timedOut = false;
		const t = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, timeout);
		p.stdout.on('data', (d) => { stdout += d; });
		p.stderr.on('data', (d) => { stderr += d; });
		p.on('error', (e) => { stderr += String(e); });
		p.on('close', (code, signal) => {
			clearTimeout(t);
			resolve({ code, signal, stdout, stderr, timedOut });
		});
		// a child that exits before reading its input (EPIPE) is judged by its exit, not a runner crash
		p.stdin.on('error', () => {});
		p.stdin.end(input ?? '');
	});
}

const live = new Set();   // child processes to kill if the runner dies
process.on('exit', () => { for (const p of live) try { p.kill('SIGKILL'); } catch { /* gone */ } });

// ---- sandbox: temp dir + database -------------------------------------------------

export class Sandbox {
	constructor(label) {
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `switchboard-e2e-${label}-`));
		this.db = path.join(this.dir, 'switchboard.db');
		this.servers = [];
		this.problems = [];   // dirty CLI runs, reported with the servers
	}

	/* switchboard ARGS --db DB; throws unless it exits 0 cleanly. */
	async cli(args, { allowFail = false, env } = {}) {
		const r = await run(BIN, [...args, '--db', this.db], { env: serverEnv(env) });
		const rep = sanitizerReport(r.stderr);
		if (rep)
			throw new Error(`'switchboard ${args.join(' ')}' sanitizer report: ${rep}`);
		if (r.timedOut)
			throw new Error(`'switchboard ${args.join(' ')}' timed out`);
		if (r.code !== 0 && !allowFail)
			throw new Error(`'switchboard ${args.join(' ')}' exited ${r.code}: ${r.stderr.trim()}`);
		return r;
	}

	async migrate() {
		const r = await run(BIN, ['migrate', '--db', this.db], { env: serverEnv() });
		if (r.code !== 0 || sanitizerReport(r.stderr))
			throw new Error(`migrate failed (${r.code}): ${r.stderr.trim()}`);
	}

	/* balance: USD as a number or string (default 0) */
	async account(name, { balance } = {}) {
		const r = await this.cli(['account', 'create', '--name', name,
			...(balance !== undefined ? ['--balance', String(balance)] : [])]);
		const id = Number(r.stdout.trim());
		if (!Number.isInteger(id) || id < 1)
			throw new Error(`account create printed '${r.stdout.trim()}'`);
		return id;
	}

	async key(accountId, scopes = 'read,write') {
		const r = await this.cli(['key', 'create', '--account', String(accountId), '--scopes', scopes]);
		const key = r.stdout.trim();
		if (!/^sb_[0-9a-f]{8}_[0-9a-f]+$/.test(key))
			throw new Error(`key create printed '${key}'`);
		return key;
	}

	/* switchboard number add: a phone number for the account; returns its id. */
	async number(accountId, number, { type = 'outbound', sms = false } = {}) {
		const r = await this.cli(['number', 'add', '--account', String(accountId), '--number', number,
			'--type', type, ...(sms ? ['--sms'] : [])]);
		const id = Number(r.stdout.trim());
		if (!Number.isInteger(id) || id < 1)
			throw new Error(`number add printed '${r.stdout.trim()}'`);
		return id;
	}

	static prefixOf(key) {
		return key.slice(3, 11);
	}

	async revoke(key) {
		return this.cli(['key', 'revoke', Sandbox.prefixOf(key)]);
	}

	/* env: extra environment for this server (e.g. provider URLs, TTLs). */
	async startServer(extraArgs = [], env = {}) {
		const s = new Server(this, this.servers.length, extraArgs, env);
		this.servers.push(s);
		await s.start();
		return s;
	}

	remove() {
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}

/* A fresh sandbox with the schema in place. */
export async function sandbox(label) {
	await probeLeakDetection();
	const sb = new Sandbox(label);
	await sb.migrate();
	return sb;
}

// ---- servers ----------------------------------------------------------------------

export class Server {
	constructor(sb, n, extraArgs, env = {}) {
		this.env = env;
		this.sb = sb;
		this.portFile = path.join(sb.dir, `port-${n}`);
		this.logPath = path.join(sb.dir, `server-${n}.log`);
		this.extraArgs = extraArgs;
		this.exit = null;   // {code, signal} once exited
	}

	async start() {
		const log = fs.openSync(this.logPath, 'a');
		this.proc = spawn(BIN, ['serve', '--db', this.sb.db, '--bind', '127.0.0.1', '--port', '0',
			'--port-file', this.portFile, ...this.extraArgs],
		{ env: serverEnv(this.env), stdio: ['ignore', log, log] });
		fs.closeSync(log);
		live.add(this.proc);
		this.exited = new Promise((resolve) => {
			this.proc.on('exit', (code, signal) => {
				live.delete(this.proc);
				this.exit = { code, signal };
				resolve(this.exit);
			});
		});
		const deadline = Date.now() + START_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (this.exit)
				throw new Error(`server exited during start-up (${JSON.stringify(this.exit)}): ${this.log().slice(-2000)}`);
			let txt = '';
			try { txt = fs.readFileSync(this.portFile, 'utf8'); } catch { /* not yet */ }
			if (/^\d+\n/.test(txt)) {
				this.port = Number(txt.trim());
				this.base = `http://127.0.0.1:${this.port}`;
				return this;
			}
			await sleep(25);
		}
		throw new Error(`server wrote no port file within ${START_TIMEOUT_MS} ms`);
	}

	url(p = '/mcp') {
		return new URL(p, this.base);
	}

	log() {
		try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; }
	}

	/* SIGTERM, wait, SIGKILL as a last resort. Returns the problems found:
	 * empty when the server exited 0 with no sanitizer report. */
	async stop() {
		const problems = [];
		if (!this.proc)
			return problems;
		if (!this.exit) {
			this.proc.kill('SIGTERM');
			const done = await Promise.race([this.exited, sleep(STOP_TIMEOUT_MS).then(() => null)]);
			if (!done) {
				problems.push(`did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM (killed)`);
				this.proc.kill('SIGKILL');
				await this.exited;
			}
		} else {
			problems.push(`exited on its own before the suite ended (${JSON.stringify(this.exit)})`);
		}
		if (this.exit.code !== 0 && !problems.length)
			problems.push(`exit status ${this.exit.code ?? this.exit.signal}`);
		const rep = sanitizerReport(this.log());
		if (rep)
			problems.push(`sanitizer: ${rep}`);
		return problems;
	}
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// ---- suites -------------------------------------------------------------------------

export function defineSuite(s) {
	if (!s || !s.name || !Array.isArray(s.tests))
		throw new Error('defineSuite needs {name, tests: [...]}');
	return s;
}

/* Passed to setup and every test of a suite: owns what the suite opened. */
export class SuiteContext {
	constructor(name) {
		this.name = name;
		this.sandboxes = [];
		this.cleanups = [];
		this.extraChecks = [];   // async () => problems[] (e.g. stdio children)
	}

	async sandbox() {
		const sb = await sandbox(this.name.replace(/[^a-z0-9]+/gi, '-'));
		this.sandboxes.push(sb);
		return sb;
	}

	defer(fn) {
		this.cleanups.push(fn);
	}

	/* An SDK client on Streamable HTTP, closed at the end of the suite. */
	async httpClient(server, headers, opts = {}) {
		const transport = new StreamableHTTPClientTransport(server.url('/mcp'), { requestInit: { headers } });
		const client = new Client({ name: 'switchboard-e2e', version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
		await client.connect(transport);
		this.defer(() => client.close());
		return { client, transport };
	}
}

// ---- tool results and coverage ------------------------------------------------------

export const coverage = {
	listed: new Set(),   // control-plane tools seen in a tools/list
	called: new Map(),   // tool name -> transports it succeeded on
};

/* tools/list, every page. */
export async function listAllTools(client) {
	const all = [];
	let cursor;
	for (let i = 0; i < 100; i++) {
		const r = await client.listTools(cursor ? { cursor } : undefined);
		all.push(...r.tools);
		cursor = r.nextCursor;
		if (!cursor)
			return all;
	}
	throw new Error('tools/list never ends (100 pages)');
}

export function noteListed(tools) {
	for (const t of tools)
		coverage.listed.add(t.name);
}

/* Every successful result carries structuredContent and a text block with
 * the same JSON. Throws with the reason otherwise. */
export function checkSuccess(name, res) {
	if (res.isError)
		throw new Error(`${name} answered isError: ${JSON.stringify(res.structuredContent ?? res.content)}`);
	const sc = res.structuredContent;
	if (!sc || typeof sc !== 'object' || Array.isArray(sc))
		throw new Error(`${name}: no structuredContent object in ${JSON.stringify(res).slice(0, 300)}`);
	const texts = (res.content ?? []).filter((b) => b.type === 'text');
	const same = texts.some((b) => {
		try { return isDeepStrictEqual(JSON.parse(b.text), sc); } catch { return false; }
	});
	if (!same)
		throw new Error(`${name}: no text block whose JSON equals structuredContent`);
	return sc;
}

/* tools/call through the SDK (which checks structuredContent against the
 * listed outputSchema), expecting success; records coverage. */
export async function callOk(client, name, args = {}, transport = 'http') {
	const res = await client.callTool({ name, arguments: args });
	const sc = checkSuccess(name, res);
	if (!coverage.called.has(name))
		coverage.called.set(name, new Set());
	coverage.called.get(name).add(transport);
	return sc;
}

/* tools/call without the SDK's output-schema check, for error results
 * (see the test 'SDK callTool returns a validation failure as isError'). */
export async function callRaw(client, name, args = {}) {
	return client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema);
}

/* Expect an isError result whose structuredContent.errors names `field`. */
export function expectInvalid(res, field) {
	if (!res.isError)
		throw new Error(`expected isError, got ${JSON.stringify(res.structuredContent)}`);
	const errs = res.structuredContent?.errors;
	if (!errs || typeof errs !== 'object')
		throw new Error(`isError without structuredContent.errors: ${JSON.stringify(res.structuredContent)}`);
	const keys = Object.keys(errs);
	const hit = keys.find((k) => k === field || k.split(/[.[\]/]/).filter(Boolean)[0] === field);
	if (!hit)
		throw new Error(`errors name ${JSON.stringify(keys)}, not '${field}'`);
	if (!Array.isArray(errs[hit]) || !errs[hit].length || errs[hit].some((m) => typeof m !== 'string' || !m))
		throw new Error(`errors.${hit} is not a non-empty list of messages: ${JSON.stringify(errs[hit])}`);
	if (typeof res.structuredContent.message !== 'string' || !res.structuredContent.message)
		throw new Error('isError without a message');
	return errs[hit];
}

// ---- ports ----------------------------------------------------------------------------

/* A port free for both UDP and TCP on 127.0.0.1 (a SIP line
 * listens on both). */
export async function freePort() {
	for (let i = 0; i < 50; i++) {
		const port = await new Promise((resolve, reject) => {
			const srv = net.createServer();
			srv.once('error', reject);
			srv.listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
		});
		const ok = await new Promise((resolve) => {
			const u = dgram.createSocket('udp4');
			u.once('error', () => resolve(false));
			u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
		});
		if (ok)
			return port;
	}
	throw new Error('no free port');
}

// ---- raw HTTP ------------------------------------------------------------------------

export const ACCEPT_BOTH = 'application/json, text/event-stream';

export function initBody(id = 1, version = '2025-11-25') {
	return JSON.stringify({
		jsonrpc: '2.0', id, method: 'initialize',
		params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
	});
}

/* POST /mcp with fetch; returns {status, headers, text, json}. */
export async function rawPost(server, { headers = {}, body, path: p = '/mcp', method = 'POST' } = {}) {
	const r = await fetch(server.url(p), {
		method,
		headers: { Accept: ACCEPT_BOTH, 'Content-Type': 'application/json', ...headers },
		body,
		signal: AbortSignal.timeout(10000),
	});
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	return { status: r.status, headers: r.headers, text, json };
}

/* A session made with raw requests: initialize + notifications/initialized. */
export async function rawSession(server, key) {
	const auth = { Authorization: `Bearer ${key}` };
	const r = await rawPost(server, { headers: auth, body: initBody() });
	if (r.status !== 200)
		throw new Error(`initialize answered ${r.status}: ${r.text}`);
	const sid = r.headers.get('mcp-session-id');
	if (!sid)
		throw new Error('initialize answered without Mcp-Session-Id');
	const n = await rawPost(server, {
		headers: { ...auth, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' },
		body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
	});
	if (n.status !== 202)
		throw new Error(`notifications/initialized answered ${n.status}`);
	return sid;
}
