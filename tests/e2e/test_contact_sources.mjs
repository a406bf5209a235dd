// test_contact_sources.mjs - lookup_contact beyond the native contact store:
// HTTP and CardDAV directories configured with `switchboard contact source`,
// served here by local test servers. Covers matching across number formats
// (E.164, national, spaced numbers in vCards), the national-format retry,
// basic auth with a sealed password, the per-account cache, a source that
// never answers (the tool still answers in time), a failing source named in
// sources_failed, and isolation between accounts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callOk, defineSuite } from './lib.mjs';

const s = {};

const digits = (x) => String(x ?? '').replace(/[^0-9]/g, '');

function vcard(name, org, tel) {
	return `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nORG:${org};Sales\r\nTEL;TYPE=WORK:${tel}\r\nEND:VCARD\r\n`;
}

function startDirectory() {
	const d = { hits: [] };
	d.srv = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString();
			const u = new URL(req.url, 'http://x');
			d.hits.push({ method: req.method, path: u.pathname, phone: u.searchParams.get('phone'), headers: req.headers, body });
			const phone = u.searchParams.get('phone') ?? '';
			if (u.pathname === '/slow')
				return;   // never answers
			if (u.pathname === '/boom') {
				res.writeHead(500, { 'Content-Type': 'text/plain' });
				res.end('internal error');
				return;
			}
			if (u.pathname === '/dir') {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(phone === '+4930111222'
					? [{ name: 'Hanna Http', company: 'HTTP GmbH', numbers: ['+49 30 111222', '+49 171 0000001'] },
						{ name: 'Wrong Number', company: 'Noise', numbers: ['+49 89 999999'] }]
					: []));
				return;
			}
			if (u.pathname === '/national') {   // only knows national formats
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ contacts: phone === '0301234999' ? [{ name: 'Nina National', phone: '030 1234999' }] : [] }));
				return;
			}
			if (u.pathname === '/dav/book/' && req.method === 'REPORT') {
				const auth = req.headers.authorization ?? '';
				if (auth !== `Basic ${Buffer.from('bob:s3cret pw').toString('base64')}`) {
					res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="dav"' });
					res.end();
					return;
				}
				const cards = [];
				if (/<C:prop-filter name="TEL">/.test(body) && body.includes('5556677'))
					cards.push(vcard('Carla Dav', 'Dav &amp; Co', '+49 40 555 6677'));
				const responses = cards.map((c, i) => `<d:response><d:href>/dav/book/${i}.vcf</d:href><d:propstat><d:prop>`
					+ `<d:getetag>"e${i}"</d:getetag><card:address-data>${c}</card:address-data></d:prop>`
					+ '<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>').join('');
				res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' });
				res.end(`<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">${responses}</d:multistatus>`);
				return;
			}
			res.writeHead(404);
			res.end();
		});
	});
	return new Promise((r) => d.srv.listen(0, '127.0.0.1', () => { d.port = d.srv.address().port; r(d); }));
}

async function setupAccount(ctx, name, line) {
	const acc = await s.sb.account(name);
	const ctl = (await ctx.httpClient(s.server, { Authorization: `Bearer ${await s.sb.key(acc, 'read,write')}` })).client;
	const asst = (await callOk(ctl, 'create_assistant', { assistant_name: `${name} desk`, calls_direction: 'receive' })).data.id;
	const call = Number((await s.sb.cli(['call', 'start', '--account', String(acc), '--assistant', String(asst),
		'--from', line, '--to', '+4917612345678'])).stdout.trim());
	const transport = new StreamableHTTPClientTransport(s.server.url('/call/mcp'), { requestInit: { headers: {
		'X-API-Key': await s.sb.key(acc, 'incall'), account_id: String(acc), persona_id: String(asst),
		call_id: String(call), caller_id_number: '+4917612345678' } } });
	const ic = new Client({ name: 'voice-engine', version: '1.0.0' });
	await ic.connect(transport);
	ctx.defer(() => ic.close());
	return { acc, ic };
}

const lookup = (who, n) => callOk(who.ic, 'lookup_contact', { phone_number: n }, 'incall');

export default defineSuite({
	name: 'contact sources',
	async setup(ctx) {
		s.dir = await startDirectory();
		ctx.defer(() => new Promise((r) => { s.dir.srv.closeAllConnections?.(); s.dir.srv.close(() => r()); }));
		s.sb = await ctx.sandbox();
		s.server = await s.sb.startServer([], {
			SWITCHBOARD_HTTP_ALLOW: '127.0.0.1/32',
			SWITCHBOARD_CONTACT_SOURCE_TIMEOUT_MS: '800',
			SWITCHBOARD_CONTACT_CACHE_TTL_S: '60',
		});
		const base = `http://127.0.0.1:${s.dir.port}`;
		s.A = await setupAccount(ctx, 'Sources A', '+4930555000');
		s.B = await setupAccount(ctx, 'Sources B', '+4930555001');
		s.C = await setupAccount(ctx, 'Sources C', '+4930555002');
		const add = (acc, kind, url, extra = [], env) => s.sb.cli(['contact', 'source', 'add', '--account', String(acc),
			'--kind', kind, '--url', url, ...extra], { env });
		s.httpId = Number((await add(s.A.acc, 'http', `${base}/dir`)).stdout.trim());
		await add(s.A.acc, 'http', `${base}/national`);
		await add(s.A.acc, 'carddav', `${base}/dav/book/`, ['--user', 'bob', '--password-env', 'DAV_PW'], { DAV_PW: 's3cret pw' });
		await add(s.C.acc, 'http', `${base}/dir`);
		await add(s.C.acc, 'http', `${base}/boom`);
		await add(s.C.acc, 'http', `${base}/slow`);
		// a native contact of A: found first, without asking any source
		const csv = path.join(s.sb.dir, 'native.csv');
		fs.writeFileSync(csv, 'name,phone,company\nNora Native,030 7777777,Native AG\n');
		await s.sb.cli(['contact', 'import', '--account', String(s.A.acc), '--country', '49', csv]);
		s.label = (kind, p = '') => `${kind}:127.0.0.1:${s.dir.port}${p}`;
	},
	tests: [
		{
			name: 'CLI: sources are listed with their label, the password never shown; remove is per account',
			async fn() {
				const list = (await s.sb.cli(['contact', 'source', 'list', '--account', String(s.A.acc)])).stdout;
				assert.match(list, new RegExp(`carddav:127\\.0\\.0\\.1:${s.dir.port}\\s.*bob \\(password set\\)`));
				assert.ok(!list.includes('s3cret'), 'the password is shown');
				const db = fs.readFileSync(s.sb.db).toString('latin1');
				assert.ok(!db.includes('s3cret pw'), 'the password is stored in clear');
				const r = await s.sb.cli(['contact', 'source', 'remove', '--account', String(s.B.acc), '--id', String(s.httpId)], { allowFail: true });
				assert.notEqual(r.code, 0, 'another account removed a source');
				const bad = await s.sb.cli(['contact', 'source', 'add', '--account', String(s.A.acc), '--kind', 'ftp', '--url', 'ftp://x'], { allowFail: true });
				assert.notEqual(bad.code, 0);
			},
		},
		{
			name: 'native contacts come first and say source native',
			async fn() {
				const before = s.dir.hits.length;
				const r = await lookup(s.A, '+49 30 7777777');
				assert.equal(r.found, true);
				assert.equal(r.name, 'Nora Native');
				assert.equal(r.source, 'native');
				assert.deepEqual(r.sources_failed, []);
				assert.equal(s.dir.hits.length, before, 'sources were asked although the native store knew the number');
			},
		},
		{
			name: 'HTTP source: matched across number formats, unrelated contacts dropped, answers cached',
			async fn() {
				for (const n of ['+49 30 111222', '030 111222', '0049-30-111222']) {
					const r = await lookup(s.A, n);
					assert.equal(r.found, true, n);
					assert.equal(r.name, 'Hanna Http');
					assert.equal(r.company, 'HTTP GmbH');
					assert.equal(r.source, s.label('http'));
					assert.deepEqual(r.numbers, ['+4930111222', '+491710000001']);
					assert.ok(!r.contacts.some((c) => c.name === 'Wrong Number'));
					assert.deepEqual(r.sources_failed, []);
				}
				// the E.164 form was asked once: the later lookups came from the cache
				const asked = s.dir.hits.filter((h) => h.path === '/dir' && h.phone === '+4930111222');
				assert.equal(asked.length, 1);
			},
		},
		{
			name: 'HTTP source that only knows national numbers is asked again in the national format',
			async fn() {
				const r = await lookup(s.A, '+49 30 1234999');
				assert.equal(r.found, true);
				assert.equal(r.name, 'Nina National');
				assert.deepEqual(r.numbers, ['+49301234999']);
				const asked = s.dir.hits.filter((h) => h.path === '/national').map((h) => h.phone);
				assert.ok(asked.includes('+49301234999') && asked.includes('0301234999'), JSON.stringify(asked));
			},
		},
		{
			name: 'CardDAV source: REPORT addressbook-query with a TEL filter, basic auth, vCard from the multistatus',
			async fn() {
				for (const n of ['+49405556677', '040 555 66 77']) {
					const r = await lookup(s.A, n);
					assert.equal(r.found, true, n);
					assert.equal(r.name, 'Carla Dav');
					assert.equal(r.company, 'Dav & Co');
					assert.deepEqual(r.numbers, ['+49405556677']);
					assert.equal(r.source, s.label('carddav'));
				}
				const rep = s.dir.hits.find((h) => h.method === 'REPORT' && h.body.includes('+49405556677'));
				assert.equal(rep.headers.depth, '1');
				assert.match(rep.headers['content-type'], /xml/);
				assert.match(rep.body, /<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">/);
				assert.match(rep.body, /<C:text-match[^>]*>\+49405556677<\/C:text-match>/);
				assert.match(rep.body, /<C:address-data\/>/);
				const none = await lookup(s.A, '+4940000001');
				assert.equal(none.found, false);
			},
		},
		{
			name: 'a failing and a silent source: the tool answers in time from the others and names them',
			async fn() {
				const t0 = Date.now();
				const r = await lookup(s.C, '+4930111222');
				const ms = Date.now() - t0;
				assert.ok(ms < 2500, `took ${ms} ms`);
				assert.equal(r.found, true);
				assert.equal(r.name, 'Hanna Http');
				assert.equal(r.sources_failed.length, 2, JSON.stringify(r.sources_failed));
				for (const f of r.sources_failed) {
					assert.equal(f.source, s.label('http'));
					assert.ok(Number.isInteger(f.source_id));
				}
				const errs = r.sources_failed.map((f) => f.error);
				assert.ok(errs.some((e) => /timeout/.test(e)), JSON.stringify(errs));
				assert.ok(errs.some((e) => /500/.test(e)), JSON.stringify(errs));
				// a failed answer is not cached: the sources are asked again
				const n = s.dir.hits.filter((h) => h.path === '/boom').length;
				const again = await lookup(s.C, '+4930111222');
				assert.equal(again.sources_failed.length, 2);
				assert.equal(s.dir.hits.filter((h) => h.path === '/boom').length, n + 1);
				const miss = await lookup(s.C, '+4989123456');
				assert.equal(miss.found, false);
				assert.match(miss.message, /did not answer/);
			},
		},
		{
			name: 'accounts are isolated: another account neither uses the sources nor the cache',
			async fn() {
				const before = s.dir.hits.length;
				for (const n of ['+4930111222', '+49405556677', '+4930 7777777']) {
					const r = await lookup(s.B, n);
					assert.equal(r.found, false, n);
					assert.deepEqual(r.sources_failed, []);
				}
				assert.equal(s.dir.hits.length, before);
			},
		},
	],
});
