// client-flow.ts - a client of xspool-httpd as an integrator writes one:
// types generated from etc/openapi.yaml by openapi-typescript (schema.d.ts
// beside this file once t0576 has made it), requests by openapi-fetch.
// t0576 type-checks it with tsc (strict), then runs it against the real
// xspool-httpd and xspoold; it prints one JSON object of what it saw, which
// the test checks.
// Usage: node client-flow.js URL KEY flow|cancel OUTDIR
import { writeFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Job = components['schemas']['Job'];

const [baseUrl, key, phase, outdir] = process.argv.slice(2);
const headers = { 'X-Api-Key': key };
// the exporter parameters as the document says: style form, explode
const client = createClient<paths>({
	baseUrl, headers,
	querySerializer: { object: { style: 'form', explode: true } },
});
// openapi-fetch's default: objects as deepObject, params[rows]=7
const deep = createClient<paths>({ baseUrl, headers });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// poll a job's Status until it has ended (a bound of 60 s for a hang)
async function ended(id: string): Promise<Job> {
	for (let i = 0; i < 600; i++) {
		const { data, error } = await client.GET(
		    '/api/v1/ExportResult/Status/{id}',
		    { params: { path: { id } } });
		if (error)
			throw new Error(`status: ${error.Code} ${error.Message}`);
		if (data.status === 'COMPLETED' || data.status === 'CANCELLED')
			return data;
		await sleep(100);
	}
	throw new Error(`job ${id} did not end`);
}

async function flow() {
	const sub = await client.POST('/api/v1/ExportRequest/{type}', {
		params: {
			path: { type: 'Synthetic' },
			query: { format: 'CSV', params: { rows: '8' } },
			header: { 'X-Export-Password': 'Client-Pw-1' },
		},
	});
	if (!sub.data)
		throw new Error(`submit: ${JSON.stringify(sub.error)}`);
	const url = new URL(sub.response.url);
	const job = await ended(sub.data.id);
	const queued = await client.GET('/api/v1/ExportResult/Queued', {
		params: { query: { limit: 10 } },
	});
	const dl = await client.GET('/api/v1/ExportResult/Download/{id}', {
		params: { path: { id: sub.data.id } },
		parseAs: 'arrayBuffer',
	});
	if (!dl.data)
		throw new Error(`download: ${JSON.stringify(dl.error)}`);
	const zip = Buffer.from(dl.data);
	writeFileSync(`${outdir}/client.zip`, zip);
	const d = await deep.POST('/api/v1/ExportRequest/{type}', {
		params: {
			path: { type: 'Synthetic' },
			query: { format: 'JSON', params: { rows: '7' } },
		},
	});
	if (!d.data)
		throw new Error(`deepObject submit: ${JSON.stringify(d.error)}`);
	const deepQuery = new URL(d.response.url).search;
	const djob = await ended(d.data.id);
	const unknown = await client.POST('/api/v1/ExportRequest/{type}', {
		params: { path: { type: 'Nope' } },
	});
	return {
		query: url.search, accepted: sub.data, job,
		queued: queued.data,
		download: {
			status: dl.response.status, bytes: zip.length,
			magic: zip.subarray(0, 2).toString('latin1'),
			etag: dl.response.headers.get('etag'),
		},
		deep: { query: deepQuery, records: djob.result?.records },
		unknown: { status: unknown.response.status,
		    code: unknown.error?.Code },
	};
}

async function cancel() {
	const sub = await client.POST('/api/v1/ExportRequest/{type}', {
		params: { path: { type: 'Patients' },
		    query: { params: { from: '2024-01-01' } } },
	});
	if (!sub.data)
		throw new Error(`submit: ${JSON.stringify(sub.error)}`);
	const id = sub.data.id;
	const page = await client.GET('/api/v1/ExportResult/Queued', {});
	const del = await client.DELETE('/api/v1/ExportRequest/Cancel/{id}', {
		params: { path: { id } },
	});
	const st = await client.GET('/api/v1/ExportResult/Status/{id}', {
		params: { path: { id } },
	});
	const again = await client.DELETE('/api/v1/ExportRequest/Cancel/{id}',
	    { params: { path: { id } } });
	return {
		id, listed: page.data?.items.some((q) => q.id === id) ?? false,
		count: page.data?.count, cancelled: del.data,
		status: st.data?.status, cancelReason: st.data?.cancelReason,
		again: { status: again.response.status,
		    code: again.error?.Code },
	};
}

const out = phase === 'cancel' ? await cancel() : await flow();
console.log(JSON.stringify(out));
