// speech_server.mjs - a local stand-in for an OpenAI-compatible speech
// server, for the HTTP speech engines' end-to-end test. It speaks the wire
// format for real:
//   POST /v1/audio/speech          JSON {model, input, voice, response_format}
//                                  -> audio/wav: 16-bit mono PCM at 24 kHz, a
//                                  500 Hz tone of toneMs (default 1000) per request
//   POST /v1/audio/transcriptions  multipart/form-data with a "file" part (the
//                                  utterance as WAV) and "model" -> {text}, the
//                                  next scripted text ("" when none is left)
//
//   const ss = await startSpeechServer();
//   ss.script('I would like a table for two.');
//   ss.speech         // [{body, headers, at}]
//   ss.transcriptions // [{parts: {name: {filename, type, data (Buffer)}}, headers, wav, at}]
//   ss.url            // base URL ending in /v1
import http from 'node:http';

/* The parts of a multipart/form-data body: {name: {filename, type, data}}. */
export function parseMultipart(body, contentType) {
	const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
	if (!m)
		throw new Error(`no multipart boundary in '${contentType}'`);
	const delim = Buffer.from(`--${m[1] ?? m[2]}`);
	const parts = {};
	let pos = body.indexOf(delim);
	if (pos < 0)
		throw new Error('no multipart delimiter in the body');
	for (;;) {
		pos += delim.length;
		if (body.subarray(pos, pos + 2).toString() === '--')
			break;	// the closing delimiter
		pos += 2;	// CRLF after the delimiter
		const hdrEnd = body.indexOf('\r\n\r\n', pos);
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), hdrEnd);
		if (hdrEnd < 0 || next < 0)
			throw new Error('a multipart part is not terminated');
		const headers = body.subarray(pos, hdrEnd).toString();
		const name = /name="([^"]*)"/i.exec(headers)?.[1];
		parts[name] = { filename: /filename="([^"]*)"/i.exec(headers)?.[1],
			type: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(),
			data: body.subarray(hdrEnd + 4, next) };
		pos = next + 2;
	}
	return parts;
}

/* The fmt and data chunks of a WAV file. */
export function parseWav(b) {
	if (b.length < 44 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE')
		throw new Error('not a RIFF/WAVE file');
	const out = { riffSize: b.readUInt32LE(4) };
	for (let p = 12; p + 8 <= b.length;) {
		const id = b.toString('latin1', p, p + 4), size = b.readUInt32LE(p + 4);
		if (id === 'fmt ')
			Object.assign(out, { format: b.readUInt16LE(p + 8), channels: b.readUInt16LE(p + 10),
				rate: b.readUInt32LE(p + 12), byteRate: b.readUInt32LE(p + 16),
				blockAlign: b.readUInt16LE(p + 20), bits: b.readUInt16LE(p + 22) });
		else if (id === 'data')
			Object.assign(out, { dataSize: size, dataBytes: b.length - p - 8, data: b.subarray(p + 8, p + 8 + size) });
		p += 8 + size + (size & 1);
	}
	return out;
}

function toneWav(ms, rate = 24000, hz = 500) {
	const n = Math.round(rate * ms / 1000), b = Buffer.alloc(44 + 2 * n);
	b.write('RIFF', 0, 'latin1');
	b.writeUInt32LE(36 + 2 * n, 4);
	b.write('WAVEfmt ', 8, 'latin1');
	b.writeUInt32LE(16, 16);
	b.writeUInt16LE(1, 20);
	b.writeUInt16LE(1, 22);
	b.writeUInt32LE(rate, 24);
	b.writeUInt32LE(rate * 2, 28);
	b.writeUInt16LE(2, 32);
	b.writeUInt16LE(16, 34);
	b.write('data', 36, 'latin1');
	b.writeUInt32LE(2 * n, 40);
	for (let i = 0; i < n; i++)
		b.writeInt16LE(Math.round(8000 * Math.sin(2 * Math.PI * hz * i / rate)), 44 + 2 * i);
	return b;
}

export async function startSpeechServer({ toneMs = 1000 } = {}) {
	const ss = {
		speech: [], transcriptions: [], texts: [], errors: [], sockets: new Set(),
		script(...texts) { this.texts.push(...texts); },
	};
	const srv = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			try {
				if (req.method === 'POST' && req.url === '/v1/audio/speech') {
					ss.speech.push({ body: JSON.parse(body.toString()), headers: req.headers, at: Date.now() });
					res.writeHead(200, { 'Content-Type': 'audio/wav' });
					res.end(toneWav(toneMs));
				} else if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') {
					const parts = parseMultipart(body, req.headers['content-type']);
					const wav = parts.file ? parseWav(parts.file.data) : null;
					ss.transcriptions.push({ parts, wav, headers: req.headers, at: Date.now() });
					res.writeHead(200, { 'Content-Type': 'application/json' });
					res.end(JSON.stringify({ text: ss.texts.shift() ?? '' }));
				} else {
					res.writeHead(404, { 'Content-Type': 'application/json' });
					res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
				}
			} catch (e) {
				ss.errors.push(String(e));
				res.writeHead(400, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ error: { message: String(e) } }));
			}
		});
	});
	srv.on('connection', (s) => { ss.sockets.add(s); s.on('close', () => ss.sockets.delete(s)); });
	await new Promise((r) => srv.listen(0, '127.0.0.1', r));
	ss.url = `http://127.0.0.1:${srv.address().port}/v1`;
	ss.close = () => new Promise((r) => { for (const s of ss.sockets) s.destroy(); srv.close(() => r()); });
	return ss;
}
