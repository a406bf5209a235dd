// run.mjs - run every tests/e2e/test_*.mjs suite against real servers.
//   node tests/e2e/run.mjs [substring...]   (only suites whose file name matches)
// One line per test: "ok  NAME" or "FAIL NAME: REASON"; the server logs of a
// suite with a failure follow it, indented. The last line is
// "e2e: N passed, M failed"; exit status 1 when anything failed.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, E2E_DIR, SuiteContext, coverage, probeLeakDetection } from './lib.mjs';

const TEST_TIMEOUT_MS = 20000;
const SETUP_TIMEOUT_MS = 30000;
const CLEANUP_TIMEOUT_MS = 10000;
const SUITE_TIMEOUT_MS = 180000;

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

/* Resolve with fn()'s value or reject after ms. */
function withTimeout(fn, ms, what) {
	let timer;
	return Promise.race([
		Promise.resolve().then(fn),
		new Promise((_, reject) => {
			timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
		}),
	]).finally(() => clearTimeout(timer));
}

function tail(text, lines = 60) {
	const l = text.trimEnd().split('\n');
	return (l.length > lines ? [`... (${l.length - lines} earlier lines)`, ...l.slice(-lines)] : l)
		.map((x) => `  | ${x}`).join('\n');
}

async function runSuite(file) {
	const short = path.basename(file, '.mjs');
	let suite;
	try {
		suite = (await import(pathToFileURL(file).href)).default;
		if (!suite || !Array.isArray(suite.tests))
			throw new Error('the file does not default-export defineSuite({...})');
	} catch (e) {
		report(`${short}: load`, e);
		return;
	}
	const ctx = new SuiteContext(suite.name);
	const started = Date.now();
	let anyFail = false;
	const note = (name, err) => {
		report(name, err);
		if (err)
			anyFail = true;
	};
	let setupOk = true;
	if (suite.setup) {
		try {
			await withTimeout(() => suite.setup(ctx), SETUP_TIMEOUT_MS, 'setup');
		} catch (e) {
			note(`${suite.name}: setup`, e);
			setupOk = false;
		}
	}
	for (const t of suite.tests) {
		const name = `${suite.name}: ${t.name}`;
		if (!setupOk) {
			note(name, 'not run: setup failed');
			continue;
		}
		if (Date.now() - started > SUITE_TIMEOUT_MS) {
			note(name, `not run: the suite exceeded ${SUITE_TIMEOUT_MS} ms`);
			continue;
		}
		try {
			await withTimeout(() => t.fn(ctx), t.timeout ?? TEST_TIMEOUT_MS, 'test');
			note(name, null);
		} catch (e) {
			note(name, e);
		}
	}
	// close clients etc. (last opened first), then stop the servers
	for (const fn of ctx.cleanups.reverse()) {
		try {
			await withTimeout(fn, CLEANUP_TIMEOUT_MS, 'cleanup');
		} catch { /* a client that cannot close cleanly is not a server fault */ }
	}
	const extra = [];
	for (const check of ctx.extraChecks) {
		try {
			extra.push(...await withTimeout(check, CLEANUP_TIMEOUT_MS, 'check'));
		} catch (e) {
			extra.push(e.message);
		}
	}
	let n = 0;
	for (const sb of ctx.sandboxes) {
		for (const s of sb.servers) {
			const problems = await s.stop();
			note(`${suite.name}: server ${++n} exits cleanly on SIGTERM (status 0, no sanitizer or leak report)`,
				problems.length ? problems.join('; ') : null);
		}
	}
	if (ctx.extraChecks.length)
		note(`${suite.name}: child processes exit cleanly (no sanitizer or leak report)`,
			extra.length ? extra.join('; ') : null);
	if (anyFail) {
		for (const sb of ctx.sandboxes) {
			for (const s of sb.servers) {
				console.log(`  server log ${s.logPath}:`);
				console.log(tail(s.log()));
			}
			console.log(`  (sandbox kept: ${sb.dir})`);
		}
	} else {
		for (const sb of ctx.sandboxes)
			sb.remove();
	}
}

async function main() {
	if (!fs.existsSync(BIN)) {
		console.log(`FAIL setup: no server binary at ${BIN} (run 'make SAN=1' or set SWITCHBOARD_BIN)`);
		console.log('e2e: 0 passed, 1 failed');
		process.exit(1);
	}
	const leak = await probeLeakDetection();
	console.log(`# binary ${BIN}; ${leak.note}`);
	const filters = process.argv.slice(2);
	const files = fs.readdirSync(E2E_DIR)
		.filter((f) => /^test_.*\.mjs$/.test(f))
		.filter((f) => !filters.length || filters.some((x) => f.includes(x)))
		.sort()
		.map((f) => path.join(E2E_DIR, f));
	for (const f of files)
		await runSuite(f);

	// STYLE.md: fail when some tool in the table was never exercised
	if (!filters.length) {
		const missing = [...coverage.listed].filter((t) => !coverage.called.has(t)).sort();
		report('every control-plane tool exercised',
			!coverage.listed.size ? 'no control-plane tools/list was seen'
				: missing.length ? `never called successfully: ${missing.join(', ')}` : null);
	}
	console.log(`e2e: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((e) => {
	console.log(`FAIL runner: ${oneLine(e.stack || e)}`);
	console.log(`e2e: ${passed} passed, ${failed + 1} failed`);
	process.exit(1);
});
