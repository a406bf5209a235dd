// test_campaign_spend.mjs - a campaign start's confirmation binds what its
// preview priced (security review "Hardening", finding 4): leads a
// write-only key adds between the preview and the confirmed start (token
// or elicitation) make the start refuse with the new preview, nothing is
// dialled; leads added to a running campaign are not dialled until a
// spend-scoped key confirms them with a new start. The server runs the
// dialer with a SIP line whose trunk nobody answers, so every placed call
// is a calls row that fails at once: the rows are the calls placed.
import assert from 'node:assert/strict';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { callOk, callRaw, defineSuite, freePort, listAllTools, noteListed, sleep } from './lib.mjs';

const s = {};


async function calls(id) {
	return (await callOk(s.A, 'list_calls', { campaign_id: id, per_page: 100 })).total;
}

async function leads(id, status) {
	return (await callOk(s.A, 'list_leads', { campaign_id: id, per_page: 100, ...(status ? { status } : {}) })).total;
}

async function campaignStatus(id) {
	return (await callOk(s.A, 'list_campaigns')).data.find((c) => c.id === id).status;
}

/* A campaign (one attempt per lead, open all week) with `n` leads. */
async function campaign(name, n, client = s.A) {
	const id = (await callOk(s.A, 'create_campaign', { name, assistant_id: s.asst, timezone: 'UTC',
		allowed_hours_start_time: '00:00', allowed_hours_end_time: '23:59', max_retries: 1,
		max_calls_in_parallel: 10,
		allowed_days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] })).data.id;
	await addLeads(id, n, client);
	return id;
}

let nextNumber = 4915100300000;
async function addLeads(id, n, client) {
	for (let i = 0; i < n; i++)
		await callOk(client, 'create_lead', { campaign_id: id, phone_number: `+${nextNumber++}` });
}

/* Wait until pred() holds (polling), or fail saying what. */
async function until(pred, what, ms = 10000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await pred())
			return;
		await sleep(100);
	}
	throw new Error(`timed out waiting for ${what}`);
}

export default defineSuite({
	name: 'campaign-spend',
	async setup(ctx) {
		s.sb = await ctx.sandbox();
		s.acc = await s.sb.account('Spend binding', { balance: 100 });
		s.keyA = await s.sb.key(s.acc, 'read,write,spend');
		s.keyW = await s.sb.key(s.acc, 'read,write');
		// the trunk: a port nobody listens on, over TCP, so a call fails at once
		const dead = await freePort();
		const r = await s.sb.cli(['number', 'add', '--account', String(s.acc), '--number', '+4930777100',
			'--type', 'outbound', '--trunk-proxy', `127.0.0.1:${dead}`, '--trunk-transport', 'tcp']);
		s.phone = Number(r.stdout.trim());
		s.server = await s.sb.startServer([], {
			SWITCHBOARD_SIP_DISABLE: '0', SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${await freePort()}`,
			SWITCHBOARD_RTP_PORTS: '33000-33999', SWITCHBOARD_LOG: 'info',
			SWITCHBOARD_DIALER_TICK_MS: '100', SWITCHBOARD_DIALER_NOW: '2026-03-02T10:00:00Z',
		});
		const open = async (key, opts) => {
			const { client } = await ctx.httpClient(s.server, { Authorization: `Bearer ${key}` }, opts);
			noteListed(await listAllTools(client));
			return client;
		};
		s.A = await open(s.keyA);
		s.W = await open(s.keyW);
		s.E = await open(s.keyA, { capabilities: { elicitation: {} } });
		s.whileAsked = null;
		s.E.setRequestHandler(ElicitRequestSchema, async (req) => {
			s.asked = req.params;
			if (s.whileAsked)
				await s.whileAsked();
			return { action: 'accept', content: { confirm: true } };
		});
		s.asst = (await callOk(s.A, 'create_assistant', { assistant_name: 'Binder', calls_direction: 'make',
			phone_number_id: s.phone, max_call_duration: 60 })).data.id;
	},
	tests: [
		{
			name: 'token for 1 lead, a write-only key adds 20: the confirmed start is refused with the new preview, no call placed',
			async fn() {
				const id = await campaign('Bound token', 1);
				const pv = await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'start' });
				assert.equal(pv.status, 'confirmation_required');
				assert.equal(pv.preview.details.leads, 1);
				assert.equal(pv.preview.estimated_cost, '0.09');   // 1 lead x 1 attempt x 1 minute
				await addLeads(id, 20, s.W);
				const r = await callRaw(s.A, 'update_campaign_status', { campaign_id: id, action: 'start',
					confirmation_token: pv.confirmation_token });
				await sleep(1500);   // 15 dialer ticks
				assert.equal(await calls(id), 0, 'calls placed on a confirmation for 1 lead');
				assert.equal(r.isError, true, JSON.stringify(r.structuredContent));
				assert.match(r.structuredContent.message, /changed since/);
				assert.match(r.structuredContent.message, /new confirmation/);
				assert.equal(r.structuredContent.preview.details.leads, 21);
				assert.equal(r.structuredContent.preview.estimated_cost, '1.89');
				assert.equal(await campaignStatus(id), 'draft');
				assert.equal(await leads(id, 'created'), 21);
				// the new confirmation covers the 21: they are all called, once
				const again = await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'start' });
				assert.equal(again.preview.details.leads, 21);
				const ok = await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'start',
					confirmation_token: again.confirmation_token });
				assert.equal(ok.data.status, 'in-progress');
				await until(async () => await leads(id, 'reached-max-retries') === 21, '21 leads called');
				assert.equal(await calls(id), 21);
				await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'stop' });
			},
		},
		{
			name: 'elicitation for 1 lead, 5 added while the user is asked: refused with the new preview, no call placed',
			async fn() {
				const id = await campaign('Bound elicitation', 1);
				s.whileAsked = () => addLeads(id, 5, s.W);
				let r;
				try {
					r = await callRaw(s.E, 'update_campaign_status', { campaign_id: id, action: 'start' });
				} finally {
					s.whileAsked = null;
				}
				assert.match(s.asked.message, /1 lead called/);
				await sleep(1500);
				assert.equal(await calls(id), 0, 'calls placed on a confirmation for 1 lead');
				assert.equal(r.isError, true, JSON.stringify(r.structuredContent));
				assert.match(r.structuredContent.message, /changed since/);
				assert.equal(r.structuredContent.preview.details.leads, 6);
				assert.equal(await campaignStatus(id), 'draft');
			},
		},
		{
			name: 'a running campaign: leads a write-only key adds or reopens are not dialled',
			async fn() {
				const id = s.running = await campaign('Running', 1);
				const pv = await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'start' });
				await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'start',
					confirmation_token: pv.confirmation_token });
				await until(async () => await leads(id, 'reached-max-retries') === 1, 'the first lead called');
				assert.equal(await calls(id), 1);
				await addLeads(id, 10, s.W);
				const first = (await callOk(s.A, 'list_leads', { campaign_id: id, status: 'reached-max-retries' })).data[0];
				const reopened = await callOk(s.W, 'update_lead', { id: first.id, status: 'created' });
				await sleep(1500);
				assert.equal(await calls(id), 1, 'calls placed for leads nobody confirmed');
				assert.equal(reopened.data.status, 'created');
				assert.match(reopened.message, /update_campaign_status/);
				assert.equal(await leads(id, 'created'), 11);
				assert.equal(await campaignStatus(id), 'in-progress');
				// the write-only key cannot confirm them
				const denied = await callRaw(s.W, 'update_campaign_status', { campaign_id: id, action: 'start' });
				assert.equal(denied.isError, true);
				assert.equal(denied.structuredContent.required_scope, 'spend');
			},
		},
		{
			name: 'a running campaign: a spend-scoped key confirms the added leads with a new start, then they are dialled',
			async fn() {
				const id = s.running;
				const pv = await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'start' });
				assert.equal(pv.status, 'confirmation_required');
				assert.equal(pv.preview.details.leads, 11);
				assert.equal(pv.preview.estimated_cost, '0.99');
				assert.match(pv.preview.target, /11 more leads/);
				const r = await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'start',
					confirmation_token: pv.confirmation_token });
				assert.equal(r.data.status, 'in-progress');
				await until(async () => await leads(id, 'reached-max-retries') === 11, 'the 11 leads called');
				assert.equal(await calls(id), 12);
				// nothing left to confirm: a start is "already running" again
				const again = await callRaw(s.A, 'update_campaign_status', { campaign_id: id, action: 'start' });
				assert.equal(again.isError, true);
				assert.match(JSON.stringify(again.structuredContent), /already running/);
				await callOk(s.A, 'update_campaign_status', { campaign_id: id, action: 'stop' });
			},
		},
	],
});
