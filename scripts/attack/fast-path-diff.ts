/**
 * Read-only review of the perf branch's parseFieldsFast (77fad14): feeds adversarial posts to the fast path and to zod,
 * and prints every input where the fast path answers and zod refuses, or answers with another value or key order.
 * Run: npx tsx scripts/attack/fast-path-diff.ts [path to the perf worktree]
 *
 * Result at 77fad14: three differences, all on objects parseSubmission never hands it (an inherited field, a prototype
 * set through dropEmpty's `out['__proto__'] = {...}`, a getter): parseSubmission rebuilds `standard` from
 * Object.entries, so it is always a plain object of own data properties. parse-submission-diff.ts checks end to end.
 */
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const root = process.argv[2] ?? '/work/wt/perf';
const mod = (await import(pathToFileURL(`${root}/schema/submission.ts`).href)) as typeof import('../../schema/submission.js') & {
  parseFieldsFast: (s: Record<string, unknown>) => unknown;
  FAST_FIELDS: readonly string[];
};
const z = await import('zod/mini');
const { parseFieldsFast, submissionSchema, FAST_FIELDS, dropEmpty } = mod;

const base = { email: 'a@b.co' };
const values: unknown[] = [
  '',
  ' ',
  '\uFEFF',
  '\uFEFFa@b.co',
  'a@b.co\uFEFF',
  '\u200Ba@b.co',
  '\u00a0x\u00a0',
  '\u3000x',
  '\u180Ex',
  '\u2028',
  'x\u2029',
  'x\u0085y',
  'on',
  'On',
  'ON',
  ' on',
  'true',
  'TRUE',
  'yes',
  '1',
  '0',
  'false',
  'no',
  'off',
  '2',
  1,
  0,
  -0,
  1.5,
  -1,
  true,
  false,
  null,
  [],
  ['on'],
  {},
  { a: 1 },
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** 53 + 1,
  1e21,
  1700000000000n,
  '1700000000000',
  ' 1700000000000',
  '1700000000000 ',
  '１７００００００００００',
  '0000000000',
  '9999999999999999',
  '99999999999999999',
  '1700000000000\n',
  'doi:0',
  'doi:00',
  'doi:99',
  'doi:0\n',
  'DOI:0',
  'contact',
  'Contact',
  ' contact ',
  'cont\u0430ct',
  'contact\n',
  'x'.repeat(64),
  ` ${'x'.repeat(64)} `,
  'x'.repeat(65),
  'A'.repeat(43),
  ` ${'A'.repeat(43)}`,
  `${'A'.repeat(43)}\n`,
  'a'.repeat(64),
  'A'.repeat(64),
  `${'a'.repeat(64)}\n`,
  '+33 6 12 34 56 78',
  '+33612345678\n',
  ' +33612345678 ',
  '+٣٣٦١٢٣٤٥٦٧٨',
  '\uFEFF+33612345678',
  '1990-02-28',
  '1990-02-28\n',
  '١٩٩٠-٠٢-٢٨',
  'fr',
  'FR',
  'ﬀ',
  'ß',
  'en',
  'EN',
  'en-',
  'zh-Hant-TW',
  'x'.repeat(5000),
  'x'.repeat(5001),
  `${'x'.repeat(5000)} `,
  'a\u0000b',
  'a\tb',
  'a\nb',
  'a\r\nb',
  '\u{1F600}'.repeat(2500),
  '__proto__',
  'constructor',
  'toString',
  new String('on'),
  Object.create(null),
  new Date(0),
  () => 1,
  Symbol('s'),
  Object.assign(Object.create({ trim: () => 'x' }), {}),
];

let differences = 0;
let fastHits = 0;
const report = (label: string, input: Record<string, unknown>, fast: unknown, zod: { success: boolean; data?: unknown }) => {
  differences++;
  if (differences <= 40)
    console.log(
      'DIFF',
      label,
      JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)).slice(0, 200),
      '| fast:',
      JSON.stringify(fast)?.slice(0, 120),
      '| zod:',
      zod.success ? JSON.stringify(zod.data).slice(0, 120) : 'refused',
    );
};
const check = (label: string, input: Record<string, unknown>) => {
  let fast: unknown;
  try {
    fast = parseFieldsFast(input);
  } catch (error) {
    console.log('THROW fast', label, String(error));
    return;
  }
  let zod: { success: boolean; data?: unknown };
  try {
    zod = z.safeParse(submissionSchema, input);
  } catch (error) {
    console.log('THROW zod', label, String(error));
    zod = { success: false };
  }
  if (fast === undefined) return;
  fastHits++;
  if (!zod.success) return report(`${label} fast accepts, zod refuses`, input, fast, zod);
  if (!isDeepStrictEqual(fast, zod.data)) return report(`${label} values differ`, input, fast, zod);
  if (Object.keys(fast as object).join() !== Object.keys(zod.data as object).join()) return report(`${label} key order differs`, input, fast, zod);
  for (const k of Object.keys(fast as object))
    if (!Object.is((fast as Record<string, unknown>)[k], (zod.data as Record<string, unknown>)[k]))
      return report(`${label} -0/+0 differs at ${k}`, input, fast, zod);
};

// Every field with every adversarial value, alone and in a good post.
for (const key of FAST_FIELDS) {
  for (const value of values) {
    check(`${key}=`, { ...base, [key]: value });
    check(`(only) ${key}=`, { [key]: value });
    // As parseSubmission would see it after dropEmpty.
    check(`(dropEmpty) ${key}=`, dropEmpty({ ...base, [key]: value }));
  }
}
// Prototype tricks: own __proto__/constructor keys, an object whose prototype carries fields, getters.
const protoCarrier = Object.create({ phone: 'not a phone', email: 'x' }) as Record<string, unknown>;
protoCarrier.email = 'a@b.co';
check('inherited phone', protoCarrier);
const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, base);
check('null prototype', nullProto);
check('own __proto__', JSON.parse('{"email":"a@b.co","__proto__":{"phone":"bad"}}') as Record<string, unknown>);
check('own constructor', JSON.parse('{"email":"a@b.co","constructor":"x"}') as Record<string, unknown>);
const parsed = JSON.parse('{"email":"a@b.co","__proto__":{"phone":"bad","required_fields":"phone"}}') as Record<string, unknown>;
check('dropEmpty of own __proto__', dropEmpty(parsed));
let reads = 0;
const getter = { email: 'a@b.co' } as Record<string, unknown>;
Object.defineProperty(getter, 'first_name', { enumerable: true, get: () => (++reads === 1 ? 'Ann' : 'x\u0000') });
check('getter changes between reads', getter);
check('duplicate keys JSON', JSON.parse('{"email":"bad","email":"a@b.co"}') as Record<string, unknown>);

// Random junk: a good post with 1-4 fields set to random values.
let seed = 20261130;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
for (let i = 0; i < 200_000; i++) {
  const input: Record<string, unknown> = { ...base };
  const n = 1 + Math.floor(rand() * 4);
  for (let j = 0; j < n; j++) input[FAST_FIELDS[Math.floor(rand() * FAST_FIELDS.length)]!] = values[Math.floor(rand() * values.length)];
  check(`random#${i}`, input);
}
console.log(`fast path answered ${fastHits} times; ${differences} differences from zod`);
