import { conditionNames, hiddenFields, parseConditions } from '../../schema/conditions.js';

/**
 * Shows and hides the block's conditional fields, from page load (in the page-load script, so no field that should be
 * hidden is ever seen before the first interaction). A hidden field's inputs are disabled: the browser neither sends
 * nor validates them, with or without the UI. The rules are the ones the server applies (schema/conditions.ts).
 */
type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export function bindConditions(form: HTMLFormElement): void {
  const text = form.querySelector<HTMLInputElement>('input[name="conditions"]')?.value;
  if (!text) return;
  const wrappers = new Map<string, HTMLElement>();
  form.querySelectorAll<HTMLElement>('[data-cc-field]').forEach((el) => wrappers.set(el.dataset.ccField ?? '', el));
  // What the merchant should hear about: names this page does not show. What applies: the server's reading.
  showConfigErrors(form, parseConditions(text, wrappers.keys()).errors);
  const { rules } = parseConditions(text, conditionNames(customKeys(form)));
  if (!rules.length) return;
  // With the script, a field simply appears when it applies: the written condition is for shoppers without it.
  form.querySelectorAll<HTMLElement>('[data-cc-condition]').forEach((el) => (el.hidden = true));
  const live = form.querySelector<HTMLElement>('[data-cc-live]');
  const controls = (el: HTMLElement) => el.querySelectorAll<Control>('input, textarea, select');
  const value = (name: string): string => {
    const el = wrappers.get(name);
    const input = el?.querySelector<Control>('input[name], textarea[name], select[name]');
    if (!input) return '';
    return input instanceof HTMLInputElement && input.type === 'checkbox' ? (input.checked ? 'on' : '') : input.value;
  };
  let first = true;
  const apply = (): void => {
    const hidden = hiddenFields(rules, value);
    const appeared: string[] = [];
    for (const rule of rules) {
      const el = wrappers.get(rule.target);
      if (!el) continue;
      const hide = hidden.has(rule.target);
      if (el.hidden !== hide && !hide) appeared.push((el.querySelector('label')?.textContent ?? '').replace('*', '').trim());
      el.hidden = hide;
      controls(el).forEach((c) => (c.disabled = hide));
    }
    // Said once, politely, after the shopper's own change; never on page load.
    if (live && !first && appeared.length) live.textContent = `${live.dataset.shown ?? ''} ${appeared.join(', ')}`;
    first = false;
  };
  apply();
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  // `reset` restores the inputs' initial values after the event: evaluate after it.
  form.addEventListener('reset', () => setTimeout(apply));
}

function customKeys(form: HTMLFormElement): string[] {
  try {
    const spec: unknown = JSON.parse(form.querySelector<HTMLInputElement>('input[name="custom_fields"]')?.value ?? '[]');
    return Array.isArray(spec) ? spec.flatMap((c: unknown) => (c && typeof c === 'object' && 'key' in c && typeof c.key === 'string' ? [c.key] : [])) : [];
  } catch {
    return [];
  }
}

/** In the theme editor only (the block renders the list there): what the parser refused, line by line. */
function showConfigErrors(form: HTMLFormElement, errors: ReturnType<typeof parseConditions>['errors']): void {
  const box = form.querySelector<HTMLElement>('[data-cc-config]');
  const list = box?.querySelector('ul');
  if (!box || !list || !errors.length) return;
  const messages = JSON.parse(box.querySelector('script')?.textContent ?? '{}') as Record<string, string>;
  list.replaceChildren(
    ...errors.map((e) => {
      const li = document.createElement('li');
      li.textContent = (messages[e.code] ?? e.code).replace('[line]', String(e.line)).replace('[name]', e.name ?? '');
      return li;
    }),
  );
  box.hidden = false;
}
