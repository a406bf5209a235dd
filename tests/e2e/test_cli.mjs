// test_cli.mjs - the command line as an operator meets it: every command of
// the table is listed by --help and answers --help, bad usage exits 2 with a
// message that names the command, and the commands the other suites set up
// with keep their output (ids, JSON, the key printed once).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, run, sanitizerReport, serverEnv } from './lib.mjs';
import { defineSuite } from './lib.mjs';

const s = {};

/* switchboard ARGS (no --db added): {code, stdout, stderr}, never a sanitizer report */
async function sb(args, env) {
	const r = await run(BIN, args, { env: serverEnv(env) });
	const rep = sanitizerReport(r.stderr);
	assert.equal(rep, null, `'switchboard ${args.join(' ')}': ${rep}`);
	return r;
}

/* The rows of `switchboard --help`: ["serve", "account create", ...] */
function commandsOf(help) {
	return help.split('\n').filter((l) => /^  [a-z]/.test(l)).map((l) => l.trim().split(/\s{2,}/)[0]);
}

export default defineSuite({
	name: 'cli',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
	},
	tests: [
		{
			name: '--help lists every command; each answers --help and help COMMAND on stdout, exit 0',
			async fn() {
				const top = await sb(['--help']);
				assert.equal(top.code, 0);
				const cmds = commandsOf(top.stdout);
				for (const c of ['serve', 'stdio', 'account create', 'account list', 'key create', 'key list',
					'key revoke', 'number add', 'number list', 'number trunk', 'migrate', 'model add', 'model list',
					'model remove', 'contact import', 'contact add', 'contact source add',
					'contact source list', 'contact source remove', 'user add', 'user dnd',
					'office-hours set', 'call start', 'webhook secret', 'version', 'help'])
					assert.ok(cmds.includes(c), `--help does not list '${c}': ${cmds.join(', ')}`);
				assert.deepEqual(commandsOf((await sb(['help'])).stdout), cmds);
				for (const c of cmds) {
					const words = c.split(' ');
					const h = await sb([...words, '--help']);
					assert.equal(h.code, 0, `${c} --help exited ${h.code}: ${h.stderr}`);
					assert.match(h.stdout, new RegExp(`^usage: switchboard ${c}\\b`), `${c} --help`);
					assert.equal((await sb(['help', ...words])).stdout, h.stdout, `help ${c}`);
				}
				// a command with sub-commands: the help of each
				const key = await sb(['key', '--help']);
				assert.equal(key.code, 0);
				for (const sub of ['create', 'list', 'revoke'])
					assert.match(key.stdout, new RegExp(`usage: switchboard key ${sub}\\b`));
			},
		},
		{
			name: 'bad usage exits 2 and says what is wrong, naming the command',
			async fn() {
				const none = await sb([]);
				assert.equal(none.code, 2);
				assert.match(none.stderr, /^usage: switchboard <command>/);
				const cases = [
					[['frobnicate'], /unknown command 'frobnicate'/],
					[['key'], /switchboard key: missing sub-command/],
					[['key', 'frob'], /switchboard key: unknown sub-command 'frob'/],
					[['account', 'list', '--frob', '--db', s.sb.db], /switchboard account list: unknown option '--frob'/],
					[['account', 'create', '--name'], /switchboard account create: option '--name' needs a value/],
					[['account', 'create', '--db', s.sb.db], /switchboard account create: missing required option '--name NAME'/],
					[['serve', '--demo=yes'], /switchboard serve: option '--demo' takes no value/],
					[['key', 'revoke', '--db', s.sb.db], /switchboard key revoke: missing argument PREFIX/],
					[['user', 'dnd', '--account', '1', '--user', '1', 'on', 'off'], /switchboard user dnd: unexpected argument 'off'/],
					[['serve', '--port', 'x'], /invalid port 'x'/],
					[['help', 'nope'], /no command 'nope'/],
				];
				for (const [args, re] of cases) {
					const r = await sb(args);
					assert.equal(r.code, 2, `'${args.join(' ')}' exited ${r.code}: ${r.stderr}`);
					assert.match(r.stderr, re, `'${args.join(' ')}'`);
					assert.equal(r.stdout, '', `'${args.join(' ')}' wrote to stdout`);
				}
			},
		},
		{
			name: 'the commands keep their output: ids, JSON lists, the key once, revoke, migrate, version',
			async fn() {
				const db = ['--db', s.sb.db];
				assert.match((await sb(['migrate', ...db])).stdout, /^schema version \d+ \(was \d+\)\n$/);
				assert.match((await sb(['version'])).stdout, /^\S+\n$/);
				assert.equal((await sb(['--version'])).stdout, (await sb(['version'])).stdout);
				// options after positionals and --opt=value, as getopt_long took them
				const acc = Number((await sb(['account', 'create', '--name=Cli Co', '--balance', '5', ...db])).stdout);
				assert.ok(Number.isInteger(acc) && acc > 0);
				const accounts = JSON.parse((await sb(['account', 'list', ...db])).stdout);
				assert.equal(accounts.find((a) => a.id === acc).name, 'Cli Co');
				const key = (await sb(['key', 'create', '--account', String(acc), '--scopes', 'read,write', ...db])).stdout.trim();
				assert.match(key, /^sb_[0-9a-f]{8}_[0-9a-f]{64}$/);
				const keys = JSON.parse((await sb(['key', 'list', '--account', String(acc), ...db])).stdout);
				assert.equal(keys[0].scopes, 'read,write');
				const prefix = key.slice(3, 11);
				const rev = await sb(['key', 'revoke', prefix, ...db]);
				assert.equal(rev.code, 0, rev.stderr);
				assert.equal(rev.stdout, `revoked ${prefix}\n`);
				assert.equal((await sb(['key', 'revoke', prefix.replace(/./, (c) => (c === 'f' ? 'e' : 'f')), ...db])).code, 1);
				const num = await sb(['number', 'add', '--account', String(acc), '--number', '+4930555123', ...db]);
				assert.match(num.stdout, /^\d+\n$/, num.stderr);
				assert.equal((await sb(['model', 'add', '--name', 'cli-m', '--url', 'http://127.0.0.1:9/v1/', ...db])).stdout, 'saved cli-m\n');
				assert.match((await sb(['model', 'list', ...db])).stdout, /^cli-m\s+\S+\s+http:\/\/127\.0\.0\.1:9\/v1$/m);
				assert.equal((await sb(['model', 'remove', '--name', 'cli-m', ...db])).stdout, 'removed cli-m\n');
				assert.match((await sb(['webhook', 'secret', '--account', String(acc), ...db])).stdout, /^whsec_[0-9a-f]+\n$/);
			},
		},
		{
			name: 'first run: no database is made by a command that reads one; money, zones and numbers are checked; revoking twice fails',
			async fn() {
				// from another folder, without --db: a clear refusal, and no new empty database
				const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-cwd-'));
				try {
					const r = await run(BIN, ['key', 'list'], { env: serverEnv({ SWITCHBOARD_DB: '' }), cwd: elsewhere });
					assert.equal(r.code, 1, r.stdout);
					assert.equal(r.stdout, '');
					assert.match(r.stderr, /no database at 'data\/switchboard\.db': give --db PATH or set SWITCHBOARD_DB/);
					assert.deepEqual(fs.readdirSync(elsewhere), [], 'a database was created');
				} finally {
					fs.rmSync(elsewhere, { recursive: true, force: true });
				}
				const db = ['--db', s.sb.db];
				// the opened file is named
				assert.match((await sb(['account', 'list', ...db])).stderr, new RegExp(`database '${s.sb.db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
				// money is parsed exactly; bad amounts and zones are refused
				for (const bad of ['-5', 'abc', '1e3', '1.0000001', '', '.'] ) {
					const r = await sb(['account', 'create', '--name', 'Bad', '--balance', bad, ...db]);
					assert.equal(r.code, 2, `--balance '${bad}' exited ${r.code}`);
					assert.match(r.stderr, /invalid --balance/);
				}
				const zone = await sb(['account', 'create', '--name', 'Mars', '--timezone', 'Mars/Base', ...db]);
				assert.equal(zone.code, 2);
				assert.match(zone.stderr, /unknown --timezone 'Mars\/Base'/);
				const acc = (await sb(['account', 'create', '--name', 'Exact', '--balance', '0.000001', '--timezone', 'Europe/Berlin', ...db])).stdout.trim();
				const acc2 = (await sb(['account', 'create', '--name', 'Round', '--balance', '12.5', ...db])).stdout.trim();
				const all = JSON.parse((await sb(['account', 'list', ...db])).stdout);
				const a = all.find((x) => String(x.id) === acc);
				assert.equal(a.timezone, 'Europe/Berlin');
				assert.equal(a.balance_micros, 1);
				assert.equal(all.find((x) => String(x.id) === acc2).balance_micros, 12500000);
				// a number that is not E.164 is named as such (no word about --type)
				const num = await sb(['number', 'add', '--account', acc, '--number', '12345', ...db]);
				assert.equal(num.code, 2);
				assert.match(num.stderr, /--number '12345' is not an E\.164 number/);
				assert.doesNotMatch(num.stderr, /type/);
				const id = Number((await sb(['number', 'add', '--account', acc, '--number', '+4930555777', '--type', 'inbound', ...db])).stdout);
				const list = JSON.parse((await sb(['number', 'list', '--account', acc, ...db])).stdout);
				assert.deepEqual(list.map((n) => [n.id, n.phone_number, n.type]), [[id, '+4930555777', 'inbound']]);
				assert.deepEqual(JSON.parse((await sb(['number', 'list', '--account', acc, '--type', 'outbound', ...db])).stdout), []);
				// revoking twice: the second says so and fails
				const key = (await sb(['key', 'create', '--account', acc, ...db])).stdout.trim();
				assert.equal((await sb(['key', 'revoke', key.slice(3, 11), ...db])).code, 0);
				const again = await sb(['key', 'revoke', key.slice(3, 11), ...db]);
				assert.equal(again.code, 1);
				assert.match(again.stderr, /was revoked already/);
			},
		},
	],
});
