// test_control_campaigns.mjs - campaigns and leads: create with defaults and
// ranges, list, start (a spend action: needs leads and balance, confirmed
// by token) and stop (free, no confirmation, works without the spend
// scope), delete; leads with filters, duplicates (both spellings of
// allow_duplicate), merged variables, limited statuses; isolation.
import assert from 'node:assert/strict';
import { callOk, callRaw, defineSuite, expectInvalid, listAllTools, noteListed } from './lib.mjs';

const s = {};

async function confirmed(client, name, args) {
	const first = await callOk(client, name, args);
	assert.equal(first.status, 'confirmation_required', JSON.stringify(first));
	return callOk(client, name, { ...args, confirmation_token: first.confirmation_token });
}

export default defineSuite({
	name: 'control-campaigns',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.accA = await s.sb.account('Camp A', { balance: 10 });
		s.accB = await s.sb.account('Camp B', { balance: 10 });
		s.accBroke = await s.sb.account('Camp Broke', { balance: 0 });
		s.phoneA = await s.sb.number(s.accA, '+4930666100');
		s.phoneB = await s.sb.number(s.accB, '+4930666200');
		s.keyA = await s.sb.key(s.accA, 'read,write,spend');
		s.keyAw = await s.sb.key(s.accA, 'read,write');
		s.keyB = await s.sb.key(s.accB, 'read,write,spend');
		s.keyBroke = await s.sb.key(s.accBroke, 'read,write,spend');
		s.server = await s.sb.startServer();
		const open = async (key) => {
			const { client } = await ctx.httpClient(s.server, { Authorization: `Bearer ${key}` });
			noteListed(await listAllTools(client));
			return client;
		};
		s.A = await open(s.keyA);
		s.Aw = await open(s.keyAw);
		s.B = await open(s.keyB);
		s.Broke = await open(s.keyBroke);
		s.out = (await callOk(s.A, 'create_assistant', { assistant_name: 'Seller', calls_direction: 'make', max_call_duration: 60 })).data.id;
		s.inb = (await callOk(s.A, 'create_assistant', { assistant_name: 'Desk', calls_direction: 'receive' })).data.id;
		s.outBroke = (await callOk(s.Broke, 'create_assistant', { assistant_name: 'Broke seller', calls_direction: 'make' })).data.id;
	},
	tests: [
		{
			name: 'create_campaign: defaults from the reference',
			async fn() {
				const r = await callOk(s.A, 'create_campaign', { name: 'Spring', assistant_id: s.out });
				assert.equal(r.message, 'Campaign created successfully');
				const c = r.data;
				s.camp = c.id;
				assert.equal(c.status, 'draft');
				assert.equal(c.assistant_name, 'Seller');
				assert.equal(c.max_calls_in_parallel, 3);
				assert.equal(c.max_retries, 3);
				assert.equal(c.retry_interval, 60);
				assert.equal(c.allowed_hours_start_time, '09:00');
				assert.equal(c.allowed_hours_end_time, '17:00');
				assert.deepEqual(c.allowed_days, ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);
				assert.equal(c.timezone, 'UTC');
				assert.equal(c.retry_on_voicemail, false);
				assert.equal(c.mark_complete_when_no_leads, false);
				assert.deepEqual(c.phone_number_ids, []);
				assert.equal(c.leads_count, 0);
			},
		},
		{
			name: 'create_campaign: every setting given is kept',
			async fn() {
				const c = (await callOk(s.A, 'create_campaign', {
					name: 'Weekend', assistant_id: s.out, timezone: 'Europe/Berlin', max_calls_in_parallel: 10,
					allowed_hours_start_time: '00:00', allowed_hours_end_time: '23:59', allowed_days: ['saturday', 'sunday'],
					max_retries: 5, retry_interval: 4320, retry_on_voicemail: true, retry_on_goal_incomplete: true,
					goal_completion_variable: 'booked', mark_complete_when_no_leads: true, phone_number_ids: [s.phoneA],
				})).data;
				s.camp2 = c.id;
				assert.equal(c.timezone, 'Europe/Berlin');
				assert.equal(c.max_calls_in_parallel, 10);
				assert.equal(c.allowed_hours_end_time, '23:59');
				assert.deepEqual(c.allowed_days, ['saturday', 'sunday']);
				assert.equal(c.max_retries, 5);
				assert.equal(c.retry_interval, 4320);
				assert.equal(c.retry_on_goal_incomplete, true);
				assert.equal(c.goal_completion_variable, 'booked');
				assert.deepEqual(c.phone_number_ids, [s.phoneA]);
			},
		},
		{
			name: 'create_campaign: ranges, patterns and references are enforced',
			async fn() {
				const base = { name: 'X', assistant_id: s.out };
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, max_calls_in_parallel: 11 }), 'max_calls_in_parallel');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, max_retries: 0 }), 'max_retries');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, max_retries: 6 }), 'max_retries');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, retry_interval: 9 }), 'retry_interval');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, retry_interval: 4321 }), 'retry_interval');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, allowed_hours_start_time: '24:00' }), 'allowed_hours_start_time');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, allowed_hours_start_time: '9:00' }), 'allowed_hours_start_time');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, allowed_hours_start_time: '18:00' }), 'allowed_hours_end_time');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, allowed_days: ['someday'] }), 'allowed_days');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, allowed_days: [] }), 'allowed_days');
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, name: '' }), 'name');
				expectInvalid(await callRaw(s.A, 'create_campaign', { name: 'X' }), 'assistant_id');
				const inbound = await callRaw(s.A, 'create_campaign', { name: 'X', assistant_id: s.inb });
				expectInvalid(inbound, 'assistant_id');
				assert.match(inbound.structuredContent.errors.assistant_id[0], /outbound/);
				expectInvalid(await callRaw(s.A, 'create_campaign', { ...base, phone_number_ids: [s.phoneB] }), 'phone_number_ids');
				expectInvalid(await callRaw(s.B, 'create_campaign', { name: 'X', assistant_id: s.out }), 'assistant_id');
				assert.equal((await callOk(s.A, 'list_campaigns')).data.length, 2);
			},
		},
		{
			name: 'update_campaign_status start: refused without leads, nothing changes',
			async fn() {
				const r = await callRaw(s.A, 'update_campaign_status', { campaign_id: s.camp, action: 'start' });
				expectInvalid(r, 'campaign_id');
				assert.match(r.structuredContent.errors.campaign_id[0], /no leads/);
				expectInvalid(await callRaw(s.A, 'update_campaign_status', { campaign_id: s.camp, action: 'pause' }), 'action');
				expectInvalid(await callRaw(s.A, 'update_campaign_status', { campaign_id: 999999, action: 'stop' }), 'campaign_id');
				const stop = await callRaw(s.A, 'update_campaign_status', { campaign_id: s.camp, action: 'stop' });
				expectInvalid(stop, 'action');   // a draft was never started
			},
		},
		{
			name: 'create_lead: E.164 after formatting, variables, campaign reference',
			async fn() {
				const r = await callOk(s.A, 'create_lead', { campaign_id: s.camp, phone_number: '+49 (151) 234-5678', variables: { name: 'Ada', vip: true } });
				assert.equal(r.message, 'Lead created successfully');
				const l = r.data;
				s.lead = l.id;
				assert.equal(l.phone_number, '+491512345678');
				assert.equal(l.status, 'created');
				assert.deepEqual(l.variables, { name: 'Ada', vip: true });
				assert.deepEqual(l.campaign, { id: s.camp, name: 'Spring' });
				assert.deepEqual(l.secondary_contacts, []);
				expectInvalid(await callRaw(s.A, 'create_lead', { campaign_id: s.camp, phone_number: '01512345678' }), 'phone_number');
				expectInvalid(await callRaw(s.A, 'create_lead', { campaign_id: s.camp, phone_number: '+0 151' }), 'phone_number');
				expectInvalid(await callRaw(s.A, 'create_lead', { phone_number: '+491512345679' }), 'campaign_id');
				expectInvalid(await callRaw(s.A, 'create_lead', { campaign_id: 999999, phone_number: '+491512345679' }), 'campaign_id');
			},
		},
		{
			name: 'create_lead: a duplicate is refused unless allow_dupplicate / allow_duplicate',
			async fn() {
				const dup = await callRaw(s.A, 'create_lead', { campaign_id: s.camp, phone_number: '+491512345678' });
				expectInvalid(dup, 'phone_number');
				assert.match(dup.structuredContent.errors.phone_number[0], /already a lead/);
				expectInvalid(await callRaw(s.A, 'create_lead', { campaign_id: s.camp, phone_number: '+491512345678', allow_duplicate: false }), 'phone_number');
				const a = await callOk(s.A, 'create_lead', { campaign_id: s.camp, phone_number: '+491512345678', allow_dupplicate: true });
				const b = await callOk(s.A, 'create_lead', { campaign_id: s.camp, phone_number: '+491512345678', allow_duplicate: true });
				assert.notEqual(a.data.id, b.data.id);
				// the same number in another campaign is not a duplicate
				s.lead2 = (await callOk(s.A, 'create_lead', { campaign_id: s.camp2, phone_number: '+491512345678' })).data.id;
				await callOk(s.A, 'delete_lead', { id: b.data.id });
			},
		},
		{
			name: 'list_leads: paged, filtered by status, campaign and phone number',
			async fn() {
				const all = await callOk(s.A, 'list_leads', {});
				assert.equal(all.total, 3);
				assert.equal(all.per_page, 15);
				assert.equal((await callOk(s.A, 'list_leads', { campaign_id: s.camp })).total, 2);
				assert.equal((await callOk(s.A, 'list_leads', { campaign_id: s.camp2 })).total, 1);
				assert.equal((await callOk(s.A, 'list_leads', { phone_number: '+49 151 2345678' })).total, 3);
				assert.equal((await callOk(s.A, 'list_leads', { phone_number: '+4915199' })).total, 0);
				assert.equal((await callOk(s.A, 'list_leads', { status: 'created' })).total, 3);
				assert.equal((await callOk(s.A, 'list_leads', { status: 'completed' })).total, 0);
				const p = await callOk(s.A, 'list_leads', { per_page: 2, page: 2 });
				assert.equal(p.data.length, 1);
				assert.equal(p.last_page, 2);
				expectInvalid(await callRaw(s.A, 'list_leads', { status: 'nope' }), 'status');
				expectInvalid(await callRaw(s.A, 'list_leads', { per_page: 101 }), 'per_page');
			},
		},
		{
			name: 'update_lead: variables merge, status limited, campaign move checked',
			async fn() {
				const u = await callOk(s.A, 'update_lead', { id: s.lead, variables: { vip: null, city: 'Berlin' }, status: 'completed' });
				assert.equal(u.message, 'Lead updated successfully');
				assert.deepEqual(u.data.variables, { name: 'Ada', city: 'Berlin' });
				assert.equal(u.data.status, 'completed');
				expectInvalid(await callRaw(s.A, 'update_lead', { id: s.lead, status: 'scheduled' }), 'status');
				expectInvalid(await callRaw(s.A, 'update_lead', { id: s.lead, status: 'blacklisted' }), 'status');
				await callOk(s.A, 'update_lead', { id: s.lead, status: 'created' });
				// moving into a campaign that has the number is a duplicate
				expectInvalid(await callRaw(s.A, 'update_lead', { id: s.lead, campaign_id: s.camp2 }), 'phone_number');
				const moved = await callOk(s.A, 'update_lead', { id: s.lead, phone_number: '+49 151 0000001' });
				assert.equal(moved.data.phone_number, '+491510000001');
				expectInvalid(await callRaw(s.A, 'update_lead', { id: s.lead, campaign_id: 999999 }), 'campaign_id');
				expectInvalid(await callRaw(s.A, 'update_lead', { id: 999999, status: 'created' }), 'id');
				expectInvalid(await callRaw(s.A, 'update_lead', { status: 'created' }), 'id');
			},
		},
		{
			name: 'update_campaign_status start: a key without spend is refused; preview shows leads and cost',
			async fn() {
				const denied = await callRaw(s.Aw, 'update_campaign_status', { campaign_id: s.camp, action: 'start' });
				assert.equal(denied.isError, true);
				assert.equal(denied.structuredContent.required_scope, 'spend');
				const pv = await callOk(s.A, 'update_campaign_status', { campaign_id: s.camp, action: 'start' });
				assert.equal(pv.status, 'confirmation_required');
				assert.equal(pv.preview.action, 'start a call campaign');
				assert.match(pv.preview.target, /campaign 'Spring': 2 leads called by assistant 'Seller'/);
				assert.equal(pv.preview.estimated_cost, '0.54');   // 2 leads x 3 attempts x 1 minute x $0.09
				assert.equal((await callOk(s.A, 'list_campaigns')).data.find((c) => c.id === s.camp).status, 'draft');
			},
		},
		{
			name: 'update_campaign_status start (confirmed): in-progress, leads scheduled',
			async fn() {
				const r = await confirmed(s.A, 'update_campaign_status', { campaign_id: s.camp, action: 'start' });
				assert.equal(r.success, true);
				assert.deepEqual(r.data, { campaign_id: s.camp, status: 'in-progress' });
				assert.match(r.message, /started/);
				const c = (await callOk(s.A, 'list_campaigns')).data.find((x) => x.id === s.camp);
				assert.equal(c.status, 'in-progress');
				assert.ok(c.started_at);
				assert.equal((await callOk(s.A, 'list_leads', { campaign_id: s.camp, status: 'scheduled' })).total, 2);
				const again = await callRaw(s.A, 'update_campaign_status', { campaign_id: s.camp, action: 'start' });
				expectInvalid(again, 'action');
				const del = await callRaw(s.A, 'delete_campaign', { id: s.camp });
				expectInvalid(del, 'id');
				assert.match(del.structuredContent.errors.id[0], /stop it first/);
			},
		},
		{
			name: 'update_campaign_status stop: free, no confirmation, works without spend scope',
			async fn() {
				const r = await callOk(s.Aw, 'update_campaign_status', { campaign_id: s.camp, action: 'stop' });
				assert.equal(r.success, true);
				assert.deepEqual(r.data, { campaign_id: s.camp, status: 'stopped' });
				assert.equal((await callOk(s.A, 'list_leads', { campaign_id: s.camp, status: 'created' })).total, 2);
				const twice = await callOk(s.A, 'update_campaign_status', { campaign_id: s.camp, action: 'stop' });
				assert.equal(twice.data.status, 'stopped');
			},
		},
		{
			name: 'update_campaign_status start: a zero balance is a clear error',
			async fn() {
				const c = (await callOk(s.Broke, 'create_campaign', { name: 'Broke', assistant_id: s.outBroke })).data;
				await callOk(s.Broke, 'create_lead', { campaign_id: c.id, phone_number: '+4915100000009' });
				const r = await callRaw(s.Broke, 'update_campaign_status', { campaign_id: c.id, action: 'start' });
				assert.equal(r.isError, true);
				assert.match(r.structuredContent.message, /insufficient balance/);
				assert.equal(r.structuredContent.balance, '0.00');
			},
		},
		{
			name: 'isolation: account B cannot see or touch A\'s campaigns and leads',
			async fn() {
				assert.deepEqual((await callOk(s.B, 'list_campaigns')).data, []);
				assert.equal((await callOk(s.B, 'list_leads', {})).total, 0);
				assert.equal((await callOk(s.B, 'list_leads', { campaign_id: s.camp })).total, 0);
				expectInvalid(await callRaw(s.B, 'update_campaign_status', { campaign_id: s.camp, action: 'stop' }), 'campaign_id');
				expectInvalid(await callRaw(s.B, 'update_campaign_status', { campaign_id: s.camp, action: 'start' }), 'campaign_id');
				expectInvalid(await callRaw(s.B, 'delete_campaign', { id: s.camp }), 'id');
				expectInvalid(await callRaw(s.B, 'create_lead', { campaign_id: s.camp, phone_number: '+4915100000010' }), 'campaign_id');
				expectInvalid(await callRaw(s.B, 'update_lead', { id: s.lead, status: 'completed' }), 'id');
				expectInvalid(await callRaw(s.B, 'delete_lead', { id: s.lead }), 'id');
				// B's own lead cannot be moved into A's campaign
				const bc = (await callOk(s.B, 'create_campaign', { name: 'B camp', assistant_id: (await callOk(s.B, 'create_assistant', { assistant_name: 'B', calls_direction: 'make' })).data.id })).data;
				const bl = (await callOk(s.B, 'create_lead', { campaign_id: bc.id, phone_number: '+4915100000011' })).data;
				expectInvalid(await callRaw(s.B, 'update_lead', { id: bl.id, campaign_id: s.camp }), 'campaign_id');
				assert.equal((await callOk(s.A, 'list_leads', { campaign_id: s.camp })).total, 2);
			},
		},
		{
			name: 'delete_lead and delete_campaign (its leads go with it)',
			async fn() {
				const d = await callOk(s.A, 'delete_lead', { id: s.lead2 });
				assert.equal(d.data.id, s.lead2);
				expectInvalid(await callRaw(s.A, 'delete_lead', { id: s.lead2 }), 'id');
				const dc = await callOk(s.A, 'delete_campaign', { id: s.camp });
				assert.equal(dc.message, 'Campaign deleted successfully');
				expectInvalid(await callRaw(s.A, 'delete_campaign', { id: s.camp }), 'id');
				assert.equal((await callOk(s.A, 'list_leads', {})).total, 0);
				assert.deepEqual((await callOk(s.A, 'list_campaigns')).data.map((c) => c.name), ['Weekend']);
			},
		},
	],
});
