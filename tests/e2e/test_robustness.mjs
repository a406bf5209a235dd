// test_robustness.mjs - edge values that pass the input schema and must not
// break the handler or the server (the ASan/UBSan build aborts on UB).
import assert from 'node:assert/strict';
import { callRaw, checkSuccess, defineSuite, expectInvalid } from './lib.mjs';

const s = {};

/* Either a page object for exactly the page asked for, or a validation
 * error naming `page`; and the server still answers afterwards. */
async function farPage(page) {
	let res;
	try {
		res = await callRaw(s.client, 'get_assistants', { page, per_page: 10 });
	} catch (e) {
		throw new Error(`get_assistants {page: ${page}} failed at the transport: ${e.message}`);
	}
	if (res.isError) {
		expectInvalid(res, 'page');
	} else {
		const sc = checkSuccess('get_assistants', res);
		assert.equal(sc.current_page, page, `current_page ${sc.current_page} for page ${page}`);
		assert.deepEqual(sc.data, []);
		assert.equal(sc.next_page_url, null);
	}
	assert.deepEqual(await s.client.ping(), {}, 'server gone');
}

export default defineSuite({
	name: 'robustness',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		const acc = await s.sb.account('Edge');
		s.server = await s.sb.startServer();
		({ client: s.client } = await ctx.httpClient(s.server, { Authorization: `Bearer ${await s.sb.key(acc)}` }));
	},
	tests: [
		{
			name: 'get_assistants with page 3000000000 (beyond int) answers that page or refuses it',
			fn: () => farPage(3000000000),
		},
		{
			name: 'get_assistants with page 2147483647 (INT_MAX) does not crash the server',
			fn: () => farPage(2147483647),
		},
	],
});
