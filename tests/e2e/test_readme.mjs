// test_readme.mjs - the README's code blocks do what it says: the SDK client
// example connects, calls a tool and exits by itself; the Claude Desktop
// configuration is valid JSON naming the stdio command; the signature
// verifier accepts a request signed as the server signs and refuses a
// changed one; the CLI lines shown for the command line parse (--help).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, E2E_DIR, REPO, defineSuite, run, serverEnv } from './lib.mjs';

const s = {};

/* The fenced blocks of README.md: [{lang, text, line}] */
function blocks() {
	const out = [];
	const lines = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8').split('\n');
	for (let i = 0; i < lines.length; i++) {
		const m = /^```(\w*)\s*$/.exec(lines[i]);
		if (!m)
			continue;
		const start = i;
		const body = [];
		for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++)
			body.push(lines[i]);
		out.push({ lang: m[1], text: body.join('\n'), line: start + 1 });
	}
	return out;
}

export default defineSuite({
	name: 'readme',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.acc = await s.sb.account('Readme');
		s.key = await s.sb.key(s.acc, 'read');
		s.server = await s.sb.startServer();
		s.blocks = blocks();
	},
	tests: [
		{
			name: 'the SDK client example connects, lists assistants and exits by itself',
			timeout: 30000,
			async fn() {
				const b = s.blocks.find((x) => x.lang === 'js' && x.text.includes('@modelcontextprotocol/sdk'));
				assert.ok(b, 'no SDK example in the README');
				assert.ok(b.text.includes('http://127.0.0.1:8080/mcp'), 'the example names the run command\'s URL');
				// beside the suite's node_modules, so the SDK import resolves as in a reader's folder
				const file = path.join(E2E_DIR, `.readme-example-${process.pid}.mjs`);
				fs.writeFileSync(file, b.text.replace('http://127.0.0.1:8080/mcp', s.server.url('/mcp').href));
				try {
					const r = await run(process.execPath, [file], {
						env: { ...process.env, SWITCHBOARD_API_KEY: s.key }, timeout: 20000 });
					assert.equal(r.timedOut, false, 'the example did not exit by itself');
					assert.equal(r.code, 0, r.stderr);
					assert.match(r.stdout, /structuredContent/);
					assert.match(r.stdout, /per_page: 5/);
				} finally {
					fs.rmSync(file, { force: true });
				}
			},
		},
		{
			name: 'the Claude Desktop configuration is JSON that starts the stdio server with a key',
			async fn() {
				const b = s.blocks.find((x) => x.lang === 'json' && x.text.includes('mcpServers'));
				const conf = JSON.parse(b.text).mcpServers.switchboard;
				assert.equal(conf.args[0], 'stdio');
				assert.equal(conf.args[1], '--db');
				assert.ok(conf.env.SWITCHBOARD_API_KEY);
				// the same command line answers initialize with this key and database
				const r = await run(BIN, ['stdio', '--db', s.sb.db], {
					env: serverEnv({ SWITCHBOARD_API_KEY: s.key }),
					input: `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
						params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'desktop', version: '1' } } })}\n`,
				});
				assert.equal(r.code, 0, r.stderr);
				assert.equal(JSON.parse(r.stdout.split('\n')[0]).result.serverInfo.name, 'switchboard');
			},
		},
		{
			name: 'the signature verifier accepts what the server signs and refuses a change',
			async fn() {
				const b = s.blocks.find((x) => x.lang === 'js' && x.text.includes('timingSafeEqual'));
				assert.ok(b, 'no verifier in the README');
				const verify = new Function('crypto', 't', 'req', 'rawBody', 'v2', 'secret', `${b.text}\nreturn ok;`);
				const secret = 'mtsec_0123', t = '1700000000', rawBody = '{"a":1}';
				const req = { method: 'POST', headers: { host: 'crm.example.com' }, url: '/hook?x=1' };
				// signed independently, as the README's text describes
				const v2 = crypto.createHmac('sha256', secret)
					.update(`${t}\nPOST\nhttps://crm.example.com/hook?x=1\n${rawBody}`).digest('hex');
				assert.equal(verify(crypto, t, req, rawBody, v2, secret), true);
				assert.equal(verify(crypto, t, req, '{"a":2}', v2, secret), false);
			},
		},
		{
			name: 'every command the README\'s command-line block shows exists (--help answers)',
			async fn() {
				const b = s.blocks.find((x) => x.text.startsWith('switchboard serve'));
				assert.ok(b, 'no command-line block');
				const cmds = new Set();
				for (const line of b.text.split('\n'))
					for (const part of line.replace(/#.*$/, '').split(/\s\|\s/)) {
						const w = part.trim().replace(/^switchboard\s+/, '').split(/\s+/).filter((x) => /^[a-z]+$/.test(x));
						if (w.length)
							cmds.add(w.slice(0, w[0] === 'contact' ? 3 : 2).join(' '));
					}
				assert.ok(cmds.size >= 10, [...cmds].join(', '));
				for (const c of cmds) {
					const r = await run(BIN, [...c.split(' '), '--help'], { env: serverEnv() });
					assert.equal(r.code, 0, `'switchboard ${c} --help' exited ${r.code}: ${r.stderr}`);
				}
			},
		},
	],
});
