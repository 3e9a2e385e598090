/**
 * POST /proxy/embed-form's renderer on hostile configs: (1) an XSS probe in every string value the config schema
 * takes, the output parsed with htmlparser2 and every element and attribute checked against what the renderer
 * writes itself; (2) the CPU time of the worst 32 KB configs found, per render.
 * Run: npx tsx scripts/attack/embed-form-xss-cpu.ts
 */
import { Parser } from 'htmlparser2';
import { embedConfig, embedFormHtml } from '../../web/server/routes/proxy/embed-form.js';
import { loadTranslator } from '../../web/server/core/i18n.js';

const translator = loadTranslator();
const PROBES = [
  `"><img src=x onerror=alert(1)>`,
  `'><svg onload=alert(1)>`,
  `</textarea><script>alert(1)</script>`,
  `</script><script>alert(1)</script>`,
  `<a href="javascript:alert(1)">x</a>`,
  `<a href=" javascript:alert(1)">x</a>`,
  `<a href="/x" onclick="alert(1)">x</a>`,
  `<a href="/x"onmouseover="alert(1)">x</a>`,
  `<a title=">" href="javascript:alert(1)">x</a>`,
  `<a href='javascript:alert(1)'>x</a>`,
  `<a href="https://x/&quot; onmouseover=&quot;alert(1)">x</a>`,
  `<strong onclick=alert(1)>x</strong>`,
  `<b/onclick=alert(1)>x</b>`,
  `<p><a href="/ok">ok</a></p><iframe src=//evil>`,
  `&lt;script&gt;alert(1)&lt;/script&gt;`,
  `&amp;lt;img src=x onerror=alert(1)&amp;gt;`,
  `<!--<img src=x onerror=alert(1)>-->`,
  `<a href="/&#x22; onmouseover=alert(1)">x</a>`,
  `\u2028</script><script>alert(1)</script>`,
];
const ATTRS_ALLOWED = new Set([
  'class',
  'id',
  'for',
  'name',
  'type',
  'value',
  'href',
  'style',
  'lang',
  'role',
  'tabindex',
  'hidden',
  'checked',
  'selected',
  'required',
  'rows',
  'maxlength',
  'placeholder',
  'autocomplete',
  'spellcheck',
  'autocapitalize',
  'inputmode',
  'step',
  'accept',
  'action',
  'method',
  'accept-charset',
]);
const ELEMENTS_ALLOWED = new Set([
  'style',
  'dialog',
  'button',
  'span',
  'div',
  'h2',
  'form',
  'p',
  'ul',
  'li',
  'a',
  'label',
  'input',
  'textarea',
  'select',
  'option',
  'fieldset',
  'legend',
  'script',
  'strong',
  'em',
  'b',
  'i',
  'u',
]);
const problems = new Set<string>();
function audit(html: string, where: string) {
  let inScript = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (!ELEMENTS_ALLOWED.has(name)) problems.add(`${where}: element <${name}>`);
        if (name === 'script') {
          inScript = true;
          if (attrs.type !== 'application/json') problems.add(`${where}: executable script`);
        }
        for (const [k, v] of Object.entries(attrs)) {
          if (!ATTRS_ALLOWED.has(k) && !k.startsWith('data-') && !k.startsWith('aria-')) problems.add(`${where}: attribute ${k}="${v}" on <${name}>`);
          if (k === 'href' && !/^(#[a-z0-9-]+$|https?:\/\/|\/(?![/\\]))/i.test(v)) problems.add(`${where}: href ${JSON.stringify(v)}`);
        }
      },
      ontext(text) {
        if (inScript) {
          try {
            JSON.parse(text);
          } catch {
            problems.add(`${where}: script body is not JSON`);
          }
        }
      },
      onclosetag(name) {
        if (name === 'script') inScript = false;
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
}

const strings = [
  'locale',
  'page',
  'heading',
  'submit_label',
  'success_message',
  'field_text',
  'conditions',
  'consent_text',
  'sms_consent_text',
  'whatsapp_consent_text',
  'privacy_text',
  'privacy_link_label',
  'file_label',
  'custom_fields',
  'tags',
  'double_opt_in',
];
let renders = 0;
for (const probe of PROBES) {
  for (const key of strings) {
    const config = {
      block: 'E9',
      fields: 'required,required,required,required,required,required,required',
      [key]: key === 'field_text' ? `email: ${probe} | ${probe}\nmessage: x | ${probe}` : probe,
    };
    for (const extra of [{}, { design: true, sample: 'errors' }, { design: true, sample: 'success' }]) {
      const parsed = embedConfig.safeParse({ ...config, ...extra });
      if (!parsed.success) continue;
      audit(embedFormHtml(translator, parsed.data), `${key}=${JSON.stringify(probe).slice(0, 50)}`);
      renders++;
    }
  }
  // Custom fields: labels, options and keys.
  const spec = JSON.stringify([
    { key: 'size', kind: 'select', required: true, options: [probe, 'b'], label: probe },
    { key: 'note', kind: 'textarea', required: false, label: probe },
  ]);
  const parsed = embedConfig.safeParse({
    block: 'E9',
    custom_fields: spec,
    conditions: `custom.note: custom.size = ${probe}`,
    design: true,
    customer: { email: probe, first_name: probe },
  });
  if (parsed.success) {
    audit(embedFormHtml(translator, parsed.data), `custom ${JSON.stringify(probe).slice(0, 40)}`);
    renders++;
  }
}
console.log(`XSS: ${renders} renders audited; ${problems.size} problems`);
for (const p of [...problems].slice(0, 30)) console.log('  ', p);

// CPU: hostile configs near the 32 KB body cap, as the route would parse and render them.
const time = (label: string, config: Record<string, unknown>) => {
  const body = JSON.stringify(config);
  const parsed = embedConfig.safeParse(JSON.parse(body));
  if (!parsed.success) return console.log(`${label}: refused (${parsed.error.issues[0]?.path.join('.')})`);
  const runs = 20;
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) embedFormHtml(translator, embedConfig.parse(JSON.parse(body)));
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  console.log(`${label}: ${(body.length / 1024).toFixed(1)} KB, ${ms.toFixed(2)} ms per render`);
};
const lines = (n: number, line: string) => Array.from({ length: n }, () => line).join('\n');
time('baseline', { block: 'E9' });
time('field_text of 2500 ":" lines', { block: 'E9', field_text: lines(2499, ':') });
time('field_text of "a:|" lines', { block: 'E9', field_text: lines(1250, 'a:|') });
time('consent texts of "<a" x3', {
  block: 'E9',
  consent_text: '<a'.repeat(2500),
  sms_consent_text: '<a'.repeat(2500),
  whatsapp_consent_text: '<a'.repeat(2500),
});
time('consent texts of "<script" x3', {
  block: 'E9',
  consent_text: '<script'.repeat(714),
  sms_consent_text: '<style<!--'.repeat(500),
  whatsapp_consent_text: '<script<style<!--'.repeat(294),
});
time('consent texts of tags x3', {
  block: 'E9',
  consent_text: '<a href="/x">'.repeat(384),
  sms_consent_text: '<b>'.repeat(1666),
  whatsapp_consent_text: '&amp;'.repeat(1000),
});
time('consent text of <a href=" x3', {
  block: 'E9',
  consent_text: '<a href="'.repeat(555),
  sms_consent_text: '<a  href = "'.repeat(416),
  whatsapp_consent_text: '<a' + ' '.repeat(4990) + '>',
});
const spec6 = JSON.stringify(
  Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, kind: 'select', required: true, options: Array.from({ length: 50 }, (_, j) => `o${j}`), label: 'L' })),
);
time('6 selects x 50 options + conditions', {
  block: 'E9',
  custom_fields: spec6.slice(0, 10_000),
  conditions: lines(60, 'custom.k1: custom.k0 = o1, o2, o3, o4, o5').slice(0, 2000),
  design: true,
});
time('conditions 2000 chars', {
  block: 'E9',
  conditions: lines(200, 'phone: email').slice(0, 2000),
  fields: 'optional,optional,optional,optional,optional,optional,optional',
});
time('customer record 30 KB of keys', { block: 'E9', customer: Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`k${i}`, 'v'])) });
time('everything at once', {
  block: 'E9',
  field_text: lines(1000, 'a:|').slice(0, 5000),
  consent_text: '<a'.repeat(2500),
  sms_consent_text: '<script'.repeat(714),
  whatsapp_consent_text: '<a href="'.repeat(555),
  custom_fields: spec6.slice(0, 10_000),
  conditions: lines(60, 'custom.k1: custom.k0 = o1, o2').slice(0, 2000),
  design: true,
  sample: 'errors',
});
