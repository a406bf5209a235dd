// model_server.mjs - a local stand-in for an OpenAI-compatible model server
// (POST /v1/chat/completions), for the brain's end-to-end tests. It speaks
// the wire format for real: streamed answers as SSE `data:` chunks ending
// with `data: [DONE]` (content split into small deltas, tool_calls split
// across chunks by index), or one JSON completion when the request did not
// ask to stream. What it answers is scripted per test:
//
//   const ms = await startModelServer();
//   ms.script({ content: 'Hello.' }, { tool_calls: [{ name: 'x', arguments: {...} }] }, ...);
//   // each chat request takes the next turn, in order; an empty script answers 500
//   ms.requests        // every request: { body (parsed), headers, at }
//   ms.onExtract = (req) => turn   // answers requests with response_format or the
//                                  // post-call reviewer prompt (they arrive asynchronously)
//
// A turn: { content, tool_calls: [{ name, arguments (object or raw string), id? }],
// status, headers, body (raw text for an error or garbage), raw (garbage sent
// as a 200), hang (never answer), delayMs, chunk (delta size, default 7),
// sse: false (answer a streamed request with plain JSON) }.
import http from 'node:http';

function completion(turn, model) {
	const msg = { role: 'assistant', content: turn.content ?? null };
	if (turn.tool_calls)
		msg.tool_calls = turn.tool_calls.map((c, i) => ({
			id: c.id ?? `call_${i}_${Math.random().toString(16).slice(2, 8)}`, type: 'function',
			function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
		}));
	return {
		id: 'chatcmpl-test', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
		choices: [{ index: 0, message: msg, finish_reason: turn.tool_calls ? 'tool_calls' : 'stop' }],
	};
}

function* sseChunks(turn, model) {
	const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
	const size = turn.chunk ?? 7;
	yield { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
	const text = turn.content ?? '';
	for (let i = 0; i < text.length; i += size)
		yield { ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + size) }, finish_reason: null }] };
	// each call: a first chunk with id and name, then the arguments in pieces
	const calls = turn.tool_calls ?? [];
	for (let index = 0; index < calls.length; index++) {
		const c = calls[index];
		const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {});
		const id = c.id ?? `call_${index}_${Math.random().toString(16).slice(2, 8)}`;
		yield { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, id, type: 'function', function: { name: c.name, arguments: '' } }] }, finish_reason: null }] };
		for (let k = 0; k < args.length; k += size)
			yield { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: args.slice(k, k + size) } }] }, finish_reason: null }] };
	}
	yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: turn.tool_calls ? 'tool_calls' : 'stop' }] };
}

export async function startModelServer() {
	const ms = {
		requests: [],
		turns: [],
		onExtract: null,
		sockets: new Set(),
		script(...turns) { this.turns.push(...turns); },
		reset() { this.turns = []; this.requests = []; },
		chatRequests() { return this.requests.filter((r) => !r.extract); },
	};
	const srv = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			let body = null;
			try { body = JSON.parse(Buffer.concat(chunks).toString()); } catch { /* recorded as null */ }
			const sys = body?.messages?.[0]?.content ?? '';
			const extract = !!body?.response_format || /review a finished conversation/.test(sys);
			const rec = { body, headers: req.headers, at: Date.now(), extract, url: req.url };
			ms.requests.push(rec);
			if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
				res.writeHead(404, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
				return;
			}
			let turn;
			if (extract)
				turn = ms.onExtract ? ms.onExtract(rec) : { content: JSON.stringify({ summary: 'A short test chat.' }) };
			else
				turn = ms.turns.shift();
			if (!turn) {
				res.writeHead(500, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ error: { message: 'no scripted turn left' } }));
				return;
			}
			if (turn.delayMs)
				await new Promise((r) => setTimeout(r, turn.delayMs));
			if (turn.hang)
				return;   // keep the connection open, answer nothing
			if (turn.status && turn.status !== 200) {
				res.writeHead(turn.status, { 'Content-Type': 'application/json', ...(turn.headers ?? {}) });
				res.end(turn.body ?? JSON.stringify({ error: { message: `scripted ${turn.status}` } }));
				return;
			}
			if (turn.raw !== undefined) {
				res.writeHead(200, { 'Content-Type': turn.contentType ?? 'application/json' });
				res.end(turn.raw);
				return;
			}
			const model = body?.model ?? 'test';
			if (body?.stream && turn.sse !== false) {
				res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
				for (const c of sseChunks(turn, model)) {
					res.write(`data: ${JSON.stringify(c)}\n\n`);
					await new Promise((r) => setImmediate(r));
				}
				res.end('data: [DONE]\n\n');
				return;
			}
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(completion(turn, model)));
		});
	});
	srv.on('connection', (s) => { ms.sockets.add(s); s.on('close', () => ms.sockets.delete(s)); });
	await new Promise((r) => srv.listen(0, '127.0.0.1', r));
	ms.port = srv.address().port;
	ms.url = `http://127.0.0.1:${ms.port}/v1`;
	ms.close = () => new Promise((r) => {
		for (const s of ms.sockets)
			s.destroy();
		srv.close(() => r());
	});
	return ms;
}
