// validate.mjs - checks answers captured by the tests (tests/openapi/httpd.sh
// writes one JSON line per answer: method, path, status, ctype, requestId,
// body, headers) against etc/openapi.yaml: the path and method exist (a
// method a path lacks is the documented 405), the status is documented
// for that operation, the headers the document marks required are there,
// the media type is the documented one, a JSON body matches its schema
// (JSON Schema 2020-12, via ajv), and X-Request-Id is present.  Exit 0 when all match; else one line per
// mismatch on stderr and exit 1.
// Usage: node validate.mjs openapi.yaml captures.jsonl
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// the packages live in tests/node_modules (npm install --prefix tests)
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const YAML = require('yaml');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [specPath, capPath] = process.argv.slice(2);
if (!specPath || !capPath) {
	console.error('usage: node validate.mjs openapi.yaml captures.jsonl');
	process.exit(2);
}
const spec = YAML.parse(readFileSync(specPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...spec, $id: 'spec' });

// resolve a local $ref in the document (responses, parameters)
function deref(o) {
	while (o && o.$ref) {
		let cur = spec;
		for (const part of o.$ref.replace(/^#\//, '').split('/'))
			cur = cur[part.replace(/~1/g, '/').replace(/~0/g, '~')];
		o = cur;
	}
	return o;
}

const ptr = (parts) => parts.map((p) => String(p).replace(/~/g, '~0')
	.replace(/\//g, '~1')).join('/');

// the path template of the spec that an actual path fits
const templates = Object.keys(spec.paths).map((t) => ({
	t,
	re: new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
		.replace(/\{[^}]+\}/g, '[^/]+') + '$', 'i'),
}));
function findPath(p) {
	// a literal template wins over one with a parameter
	const hits = templates.filter((x) => x.re.test(p));
	hits.sort((a, b) => (a.t.includes('{') ? 1 : 0) -
	    (b.t.includes('{') ? 1 : 0));
	return hits.length ? hits[0].t : null;
}

const validators = new Map();
function validatorFor(parts) {
	const key = ptr(parts);
	if (!validators.has(key))
		validators.set(key, ajv.compile({ $ref: 'spec#/' + key }));
	return validators.get(key);
}

let bad = 0, n = 0;
const fail = (c, msg) => {
	bad++;
	console.error(`${c.method} ${c.path} ${c.status}: ${msg}`);
};

// checkAnswer - capture c against the response object at base (its keys
// from the document's root): required headers, media type, JSON schema
function checkAnswer(c, base, what) {
	let resp = spec;
	for (const p of base)
		resp = resp[p];
	resp = deref(resp);
	for (const [name, h] of Object.entries(resp.headers || {}))
		if (deref(h).required && c.headers &&
		    !(name.toLowerCase() in c.headers))
			fail(c, `required header ${name} is missing`);
	if (c.method === 'HEAD' || c.status === 304)
		return;
	const types = Object.keys(resp.content || {});
	const mt = (c.ctype || '').split(';')[0].trim();
	if (!types.includes(mt)) {
		fail(c, `content type "${mt}" is not one of ` +
		    `${types.join(', ')} for ${what}`);
		return;
	}
	if (mt !== 'application/json')
		return;
	let body;
	try {
		body = JSON.parse(c.body);
	} catch (e) {
		fail(c, 'body is not JSON: ' + e.message);
		return;
	}
	const v = validatorFor([...base, 'content', mt, 'schema']);
	if (!v(body))
		fail(c, ajv.errorsText(v.errors) + ' in ' + c.body.trim());
}

for (const line of readFileSync(capPath, 'utf8').split('\n')) {
	if (!line.trim())
		continue;
	const c = JSON.parse(line);
	n++;
	if (!c.requestId)
		fail(c, 'no X-Request-Id');
	const t = findPath(c.path);
	if (t === null) {
		// unknown paths must be the documented NOT_FOUND error shape
		if (c.status !== 404)
			fail(c, 'undocumented path');
		else if (!validatorFor(['components', 'schemas', 'Error'])(
		    JSON.parse(c.body)))
			fail(c, 'a 404 that is not an Error');
		continue;
	}
	// HEAD: its own operation where documented, else GET's answer
	const method = c.method === 'HEAD' && !spec.paths[t].head ? 'get' :
	    c.method.toLowerCase();
	const op = spec.paths[t][method];
	if (!op) {
		if (c.status !== 405)
			fail(c, `method ${c.method} is not documented`);
		else
			checkAnswer(c, ['components', 'responses',
			    'MethodNotAllowed'], `other methods of ${t}`);
		continue;
	}
	const code = String(c.status);
	if (!op.responses[code]) {
		fail(c, `status ${code} is not documented for ${method} ${t}`);
		continue;
	}
	// the response through its own location (a $ref or in place)
	const base = op.responses[code].$ref ?
	    op.responses[code].$ref.replace(/^#\//, '').split('/')
		.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')) :
	    ['paths', t, method, 'responses', code];
	checkAnswer(c, base, `${method} ${t}`);
}
if (n === 0) {
	console.error('no answers captured');
	process.exit(1);
}
console.error(`${n} answers checked, ${bad} mismatches`);
process.exit(bad ? 1 : 0);
