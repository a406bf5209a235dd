// run.mjs - run the protocol cases (tests/protocol/NNN-name.test, format in
// README.md) against one switchboard server started with tests/e2e/lib.mjs.
//   node tests/protocol/run.mjs [substring...]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { BIN, rawSession, sandbox } from '../e2e/lib.mjs';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const CASE_TIMEOUT_MS = 10000;
const STREAM_WAIT_MS = 2000;

let passed = 0, failed = 0;

function oneLine(s) {
	const t = String(s).replace(/\s*\n\s*/g, ' | ').trim();
	return t.length > 600 ? `${t.slice(0, 600)}...` : t;
}

function report(name, err) {
	if (err) {
		failed++;
		console.log(`FAIL ${name}: ${oneLine(err instanceof Error ? err.message : err)}`);
	} else {
		passed++;
		console.log(`ok  ${name}`);
	}
}

// ---- parsing ------------------------------------------------------------------

/* {description, request: {method, path, headers: [[n, v]], body|null}, expect: [line]} */
export function parseCase(text, file) {
	const sections = {};
	let cur = null;
	for (const line of text.split('\n')) {
		const m = line.match(/^(# description|--- request|--- expect)\s*$/);
		if (m) {
			cur = m[1].replace(/^(# |--- )/, '');
			if (sections[cur])
				throw new Error(`${file}: section '${m[1]}' twice`);
			sections[cur] = [];
		} else if (cur) {
			sections[cur].push(line);
		} else if (line.trim()) {
			throw new Error(`${file}: text before the first section: '${line}'`);
		}
	}
	for (const s of ['description', 'request', 'expect'])
		if (!sections[s])
			throw new Error(`${file}: no '${s}' section`);
	const req = sections.request;
	while (req.length && !req[0].trim())
		req.shift();
	const first = (req.shift() ?? '').match(/^([A-Z]+) (\S+)$/);
	if (!first)
		throw new Error(`${file}: the request must start with 'METHOD PATH'`);
	const headers = [];
	while (req.length && req[0].trim()) {
		const h = req.shift().match(/^([A-Za-z0-9-]+):\s?(.*)$/);
		if (!h)
			throw new Error(`${file}: bad header line`);
		headers.push([h[1], h[2]]);
	}
	req.shift();   // the blank line
	const body = req.join('\n').replace(/\n+$/, '');
	const expect = sections.expect.map((l) => l.trim()).filter((l) => l && !l.startsWith('//'));
	if (!expect.length)
		throw new Error(`${file}: nothing to expect`);
	return {
		description: sections.description.join('\n').trim(),
		request: { method: first[1], path: first[2], headers, body: body.length ? body : null },
		expect,
	};
}

// ---- running -------------------------------------------------------------------

async function fill(text, env) {
	let out = text;
	if (out.includes('{{SESSION}}'))
		out = out.replaceAll('{{SESSION}}', await rawSession(env.server, env.KEY));
	for (const k of ['READ', 'WRITE', 'INCALL'])
		if (out.includes(`{{${k}_SESSION}}`))
			out = out.replaceAll(`{{${k}_SESSION}}`, await rawSession(env.server, env[`${k}_KEY`]));
	out = out.replace(/\{\{PAD:(\d+)\}\}/g, (_, n) => 'x'.repeat(Number(n)));
	for (const k of ['KEY', 'READ_KEY', 'WRITE_KEY', 'INCALL_KEY', 'REVOKED_KEY', 'PORT'])
		out = out.replaceAll(`{{${k}}}`, String(env[k]));
	const left = out.match(/\{\{[A-Z_:0-9]+\}\}/);
	if (left)
		throw new Error(`unknown placeholder ${left[0]}`);
	return out;
}

/* Send the request; resolve {status, headers, body}. Streams are read until
 * their first JSON-RPC message or STREAM_WAIT_MS. */
function send(env, { method, path: p, headers, body }) {
	return new Promise((resolve, reject) => {
		const h = {};
		for (const [n, v] of headers)
			h[n] = v;
		const buf = body === null ? null : Buffer.from(body);
		if (buf)
			h['Content-Length'] = String(buf.length);
		const req = http.request({ host: '127.0.0.1', port: env.PORT, method, path: p, headers: h, setHost: !Object.keys(h).some((n) => n.toLowerCase() === 'host') });
		let answered = false;
		// A server may answer (413) and close before it has read the whole
		// body; the write then fails with EPIPE/ECONNRESET while the answer
		// is on its way or already in: wait for it a little.
		req.on('error', (e) => {
			if (answered)
				return;
			if (e.code === 'EPIPE' || e.code === 'ECONNRESET')
				setTimeout(() => { if (!answered) reject(e); }, 1000);
			else
				reject(e);
		});
		req.on('response', (res) => {
			answered = true;
			const chunks = [];
			const isStream = /^text\/event-stream/.test(res.headers['content-type'] ?? '');
			let done = false;
			const finish = () => {
				if (done)
					return;
				done = true;
				clearTimeout(timer);
				resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() });
				if (isStream)
					res.destroy();
			};
			const timer = isStream ? setTimeout(finish, STREAM_WAIT_MS) : null;
			res.on('data', (c) => {
				chunks.push(c);
				if (isStream && sseMessage(Buffer.concat(chunks).toString()))
					finish();
			});
			res.on('end', finish);
			res.on('error', () => finish());
			res.on('close', finish);
		});
		if (buf)
			req.write(buf);
		req.end();
	});
}

function sseMessage(text) {
	for (const line of text.split('\n')) {
		if (!line.startsWith('data:'))
			continue;
		try {
			const j = JSON.parse(line.slice(5).trim());
			if (j && j.jsonrpc === '2.0')
				return j;
		} catch { /* not JSON */ }
	}
	return null;
}

function jsonOf(res) {
	if (/^text\/event-stream/.test(res.headers['content-type'] ?? ''))
		return { ok: !!sseMessage(res.body), value: sseMessage(res.body) };
	try {
		return { ok: true, value: JSON.parse(res.body) };
	} catch {
		return { ok: false };
	}
}

function walk(doc, p) {
	if (p === '.')
		return { found: true, value: doc };
	let v = doc;
	for (const seg of p.split('.')) {
		if (Array.isArray(v) && seg === 'length') {
			v = v.length;
			continue;
		}
		if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, seg))
			return { found: false };
		v = v[seg];
	}
	return { found: true, value: v };
}

function literal(s) {
	try { return JSON.parse(s); } catch { return s; }
}

/* null when the check passes, else why not. */
function check(line, res) {
	let m;
	if ((m = line.match(/^status (\d{3})$/)))
		return res.status === Number(m[1]) ? null : `status ${res.status}, want ${m[1]} (body: ${res.body.slice(0, 200)})`;
	if ((m = line.match(/^header ([A-Za-z0-9-]+) (=|~) (.*)$/)) || (m = line.match(/^header ([A-Za-z0-9-]+) (present|absent)$/))) {
		const v = res.headers[m[1].toLowerCase()];
		const val = Array.isArray(v) ? v.join(', ') : v;
		if (m[2] === 'present')
			return val !== undefined ? null : `no header ${m[1]}`;
		if (m[2] === 'absent')
			return val === undefined ? null : `header ${m[1]}: ${val}`;
		if (val === undefined)
			return `no header ${m[1]}`;
		if (m[2] === '=')
			return val === m[3] ? null : `header ${m[1]} is '${val}', want '${m[3]}'`;
		return new RegExp(m[3]).test(val) ? null : `header ${m[1]} '${val}' does not match /${m[3]}/`;
	}
	if ((m = line.match(/^json (\S+) (=|~) (.*)$/)) || (m = line.match(/^json (\S+) (present|absent)$/))) {
		const j = jsonOf(res);
		if (!j.ok)
			return `body is not JSON: ${res.body.slice(0, 200)}`;
		const w = walk(j.value, m[1]);
		if (m[2] === 'present')
			return w.found ? null : `no ${m[1]} in ${JSON.stringify(j.value).slice(0, 300)}`;
		if (m[2] === 'absent')
			return w.found ? `${m[1]} is ${JSON.stringify(w.value)}` : null;
		if (!w.found)
			return `no ${m[1]} in ${JSON.stringify(j.value).slice(0, 300)}`;
		if (m[2] === '=')
			return isDeepStrictEqual(w.value, literal(m[3])) ? null
				: `${m[1]} is ${JSON.stringify(w.value).slice(0, 300)}, want ${m[3]}`;
		return typeof w.value === 'string' && new RegExp(m[3]).test(w.value) ? null
			: `${m[1]} is ${JSON.stringify(w.value)}, want /${m[3]}/`;
	}
	if ((m = line.match(/^body contains (.+)$/)))
		return res.body.includes(m[1]) ? null : `body lacks '${m[1]}': ${res.body.slice(0, 200)}`;
	if ((m = line.match(/^body lacks (.+)$/)))
		return !res.body.includes(m[1]) ? null : `body contains '${m[1]}'`;
	if ((m = line.match(/^body ~ (.+)$/)))
		return new RegExp(m[1]).test(res.body) ? null : `body does not match /${m[1]}/: ${res.body.slice(0, 200)}`;
	if (line === 'body empty')
		return res.body === '' ? null : `body not empty: ${res.body.slice(0, 200)}`;
	throw new Error(`unknown check '${line}'`);
}

async function runCase(file, env) {
	const c = parseCase(fs.readFileSync(file, 'utf8'), path.basename(file));
	const req = {
		method: c.request.method,
		path: await fill(c.request.path, env),
		headers: await Promise.all(c.request.headers.map(async ([n, v]) => [n, await fill(v, env)])),
		body: c.request.body === null ? null : await fill(c.request.body, env),
	};
	const res = await send(env, req);
	const why = c.expect.map((l) => check(l, res)).filter(Boolean);
	if (why.length)
		throw new Error(why.join('; '));
}

function withTimeout(p, ms) {
	let t;
	return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms); })])
		.finally(() => clearTimeout(t));
}

async function main() {
	if (!fs.existsSync(BIN)) {
		console.log(`FAIL setup: no server binary at ${BIN} (run 'make SAN=1' or set SWITCHBOARD_BIN)`);
		console.log('protocol: 0 passed, 1 failed');
		process.exit(1);
	}
	const filters = process.argv.slice(2);
	const files = fs.readdirSync(DIR).filter((f) => /^\d{3}-[a-z0-9-]+\.test$/.test(f))
		.filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();
	const stray = fs.readdirSync(DIR).filter((f) => f.endsWith('.test') && !/^\d{3}-[a-z0-9-]+\.test$/.test(f));
	for (const f of stray)
		report(f, 'file name is not NNN-name.test: not run');

	const sb = await sandbox('protocol');
	const acc = await sb.account('Protocol');
	const env = {
		KEY: await sb.key(acc, 'read,write'), READ_KEY: await sb.key(acc, 'read'),
		WRITE_KEY: await sb.key(acc, 'write'), INCALL_KEY: await sb.key(acc, 'incall'),
		REVOKED_KEY: await sb.key(acc, 'read,write'),
	};
	await sb.revoke(env.REVOKED_KEY);
	env.server = await sb.startServer();
	env.PORT = env.server.port;

	for (const f of files) {
		const name = f.replace(/\.test$/, '');
		try {
			await withTimeout(runCase(path.join(DIR, f), env), CASE_TIMEOUT_MS);
			report(name, null);
		} catch (e) {
			report(name, e);
		}
	}
	const problems = await env.server.stop();
	report('server exits cleanly on SIGTERM (status 0, no sanitizer or leak report)',
		problems.length ? problems.join('; ') : null);
	if (failed) {
		console.log(`  server log ${env.server.logPath}:`);
		console.log(env.server.log().trimEnd().split('\n').slice(-60).map((l) => `  | ${l}`).join('\n'));
		console.log(`  (sandbox kept: ${sb.dir})`);
	} else {
		sb.remove();
	}
	console.log(`protocol: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((e) => {
	console.log(`FAIL runner: ${oneLine(e.stack || e)}`);
	console.log(`protocol: ${passed} passed, ${failed + 1} failed`);
	process.exit(1);
});
