// test_audit.mjs - the audit trail stays bounded: a big denied call leaves a
// bounded row, and rows older than the retention are swept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { defineSuite, rawPost, rawSession, sleep } from './lib.mjs';

const s = {};

function sql(db, q) {
	return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

/* Poll until fn() is truthy (the audit writer commits every <= 100 ms). */
async function until(fn, what, ms = 5000) {
	const deadline = Date.now() + ms;
	for (;;) {
		const v = fn();
		if (v)
			return v;
		if (Date.now() > deadline)
			throw new Error(`timed out waiting for ${what}`);
		await sleep(50);
	}
}

export default defineSuite({
	name: 'audit',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		const acc = await s.sb.account('Audit');
		s.readKey = await s.sb.key(acc, 'read');
		const now = Date.now() / 1000;
		// rows written before this server started: one past the retention, one within
		sql(s.sb.db, `INSERT INTO audit (ts, account_id, tool, outcome, args) VALUES
			(${now - 100 * 86400}, ${acc}, 'old_row', 'ok', '{}'),
			(${now - 10 * 86400}, ${acc}, 'recent_row', 'ok', '{}')`);
		s.server = await s.sb.startServer([], { SWITCHBOARD_AUDIT_RETENTION_DAYS: '30' });
	},
	tests: [
		{
			name: 'a denied tools/call with a 1 MB argument leaves an audit row of at most 8 KiB',
			async fn() {
				const sid = await rawSession(s.server, s.readKey);
				const big = 'p'.repeat(1000000);
				const r = await rawPost(s.server, {
					headers: { Authorization: `Bearer ${s.readKey}`, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' },
					body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'create_assistant', arguments: { assistant_name: 'big', system_prompt: big } } }),
				});
				assert.equal(r.status, 200);
				assert.equal(r.json?.result?.isError, true, r.text.slice(0, 300));
				assert.equal(r.json.result.structuredContent.required_scope, 'write');
				const row = await until(() => sql(s.sb.db,
					"SELECT outcome || '|' || length(args) || '|' || args FROM audit WHERE tool = 'create_assistant' ORDER BY id DESC LIMIT 1"),
				'the audit row');
				const [outcome, len, ...rest] = row.split('|');
				const args = JSON.parse(rest.join('|'));
				assert.equal(outcome, 'denied');
				assert.ok(Number(len) <= 8192, `audit args are ${len} bytes`);
				assert.equal(args.assistant_name, 'big');
				assert.match(args.system_prompt, /^p+…\[truncated 1000000 bytes sha256:[0-9a-f]{64}\]$/);
			},
		},
		{
			name: 'audit rows older than SWITCHBOARD_AUDIT_RETENTION_DAYS are swept, newer ones kept',
			async fn() {
				await until(() => sql(s.sb.db, "SELECT count(*) FROM audit WHERE tool = 'old_row'") === '0',
					'the sweep of the 100-day-old row');
				assert.equal(sql(s.sb.db, "SELECT count(*) FROM audit WHERE tool = 'recent_row'"), '1');
			},
		},
	],
});
