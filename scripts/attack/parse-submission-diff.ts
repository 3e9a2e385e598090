/**
 * End to end: parseSubmission of this branch (zod only) against the perf branch's (fast path first), on the same
 * adversarial bodies as a JSON post and a form post would give them. Prints any body answered differently.
 * Run: npx tsx scripts/attack/parse-submission-diff.ts [path to the perf worktree]
 */
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parseSubmission as mainParse } from '../../schema/submission.js';

const root = process.argv[2] ?? '/work/wt/perf';
const perf = (await import(pathToFileURL(`${root}/schema/submission.ts`).href)) as typeof import('../../schema/submission.js');
const spec = JSON.stringify([{ key: 'size', kind: 'text', required: false }]);
const bodies: string[] = [
  '{"email":"a@b.co","__proto__":{"phone":"bad"}}',
  '{"email":"a@b.co","__proto__":{"phone":"bad"},"required_fields":"phone"}',
  '{"email":"a@b.co","__proto__":{"form_id":"x y"}}',
  '{"email":"a@b.co","constructor":{"prototype":{"x":1}}}',
  '{"email":"a@b.co","email":"b@c.co"}',
  '{"email":"\\ufeffa@b.co\\ufeff","form_id":"\\ufeffcontact"}',
  '{"email":"a@b.co","rendered_at":1e400}',
  '{"email":"a@b.co","rendered_at":-0}',
  '{"email":"a@b.co","rendered_at":"0001700000000"}',
  '{"email":"a@b.co","email_marketing_consent":"on","consent_required":"1"}',
  `{"email":"a@b.co","custom_fields":${JSON.stringify(spec)},"custom.size":"M","__proto__":{"custom.size":"L"}}`,
  '{"email":"a@b.co","attachment":"  "}',
  '{"email":"a@b.co","form_id":"Contact","attachment":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}',
  '{"email":"a@b.co","form_id":" contact\\n"}',
];
let diffs = 0;
for (const body of bodies) {
  const a = mainParse(JSON.parse(body) as Record<string, unknown>);
  const b = perf.parseSubmission(JSON.parse(body) as Record<string, unknown>);
  const same = isDeepStrictEqual(a, b);
  if (!same) diffs++;
  console.log(same ? 'same' : 'DIFF', a.ok ? 'ok' : 'refused', body.slice(0, 100));
}
console.log(`${diffs} differences`);
