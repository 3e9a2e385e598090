/**
 * Browser script for the local account page stand-in: just enough of Shopify's Polaris web components (`s-page`,
 * `s-text-field`, `s-checkbox`, `s-button`...) for the real extension to be used by a person, by keyboard and by a
 * screen reader. Each renders native elements in its shadow root: labels tied to their inputs, errors announced with
 * aria-describedby, banners as status or alert. Shopify's own components are richer; this is their behaviour, not
 * their look. Local mode only.
 */
let ids = 0;
const css = ':host{display:block;font:16px/1.5 system-ui,sans-serif;color:#1a1a1a}';

function shell(host: HTMLElement, html: string): ShadowRoot {
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${css}</style>${html}`;
  return root;
}

/** A container: its children are slotted into one native element. */
function container(name: string, html: string, role?: string, style = '') {
  customElements.define(
    name,
    class extends HTMLElement {
      constructor() {
        super();
        shell(this, html.replace('<slot>', `<slot style="${style}">`));
      }
      connectedCallback() {
        if (role) this.setAttribute('role', role);
      }
    },
  );
}

container('s-stack', '<div style="display:flex;flex-direction:column;gap:1rem"><slot></slot></div>');
container('s-box', '<div style="padding:1rem;border:1px solid #8a8a8a;border-radius:.5rem"><slot></slot></div>');
container('s-button-group', '<div style="display:flex;gap:.5rem;flex-wrap:wrap"><slot></slot></div>');
container('s-text', '<span><slot></slot></span>');
container('s-paragraph', '<p style="margin:0"><slot></slot></p>');
container('s-heading', '<h3 style="margin:0"><slot></slot></h3>');
container('s-unordered-list', '<div style="padding-left:1.5rem"><slot></slot></div>', 'list');
container('s-list-item', '<div style="display:list-item;list-style:disc"><slot></slot></div>', 'listitem');

/** Elements whose text comes from an attribute (a page's or section's heading, a spinner's label, a banner's tone). */
function titled(name: string, html: string, update: (root: ShadowRoot, host: HTMLElement) => void, observed: string[]) {
  customElements.define(
    name,
    class extends HTMLElement {
      static observedAttributes = observed;
      readonly view = shell(this, html);
      connectedCallback() {
        update(this.view, this);
      }
      attributeChangedCallback() {
        update(this.view, this);
      }
    },
  );
}

titled(
  's-page',
  '<main style="max-width:48rem;margin:2rem auto;padding:0 1rem"><h1></h1><slot></slot></main>',
  (r, h) => (r.querySelector('h1')!.textContent = h.getAttribute('heading') ?? ''),
  ['heading'],
);
titled(
  's-section',
  '<section style="margin:1.5rem 0"><h2></h2><slot></slot></section>',
  (r, h) => {
    const heading = r.querySelector('h2')!;
    heading.textContent = h.getAttribute('heading') ?? '';
    heading.hidden = !h.getAttribute('heading');
  },
  ['heading'],
);
titled('s-spinner', '<div role="status"></div>', (r, h) => (r.querySelector('div')!.textContent = h.getAttribute('accessibilitylabel') ?? ''), [
  'accessibilitylabel',
]);
titled(
  's-banner',
  '<div style="padding:.75rem;border-radius:.5rem;border:2px solid"><slot></slot></div>',
  (r, h) => {
    const box = r.querySelector('div')!;
    const critical = h.getAttribute('tone') === 'critical';
    box.setAttribute('role', critical ? 'alert' : 'status');
    box.style.borderColor = critical ? '#b3261e' : '#1f6f3f';
  },
  ['tone'],
);
titled(
  's-link',
  '<a><slot></slot></a>',
  (r, h) => {
    const a = r.querySelector('a')!;
    a.href = h.getAttribute('href') ?? '';
    if (h.getAttribute('target')) a.target = h.getAttribute('target')!;
  },
  ['href', 'target'],
);

customElements.define(
  's-button',
  class extends HTMLElement {
    static observedAttributes = ['disabled', 'variant', 'tone'];
    readonly view = shell(this, '<button type="button" style="font:inherit;padding:.5rem 1rem;border-radius:.5rem"><slot></slot></button>');
    attributeChangedCallback() {
      const button = this.view.querySelector('button')!;
      button.disabled = this.hasAttribute('disabled');
      const primary = this.getAttribute('variant') === 'primary';
      const critical = this.getAttribute('tone') === 'critical';
      button.style.background = critical ? '#b3261e' : primary ? '#1a1a1a' : '#fff';
      button.style.color = critical || primary ? '#fff' : '#1a1a1a';
      button.style.border = '1px solid #1a1a1a';
    }
    connectedCallback() {
      this.attributeChangedCallback();
    }
  },
);

/** A labelled input: `value` (or `checked`) is a property, as on Polaris; a change is re-dispatched on the host. */
function field(name: string, control: 'input' | 'textarea', type: string) {
  customElements.define(
    name,
    class extends HTMLElement {
      static observedAttributes = ['label', 'error', 'value', 'checked', 'disabled'];
      readonly fieldId = `f${++ids}`;
      readonly view = shell(
        this,
        type === 'checkbox'
          ? `<div style="display:flex;gap:.5rem;align-items:center"><input id="${this.fieldId}" type="checkbox"><label for="${this.fieldId}"></label></div><div id="${this.fieldId}-error" style="color:#b3261e"></div>`
          : `<label for="${this.fieldId}" style="display:block"></label><${control} id="${this.fieldId}" ${control === 'input' ? `type="${type}"` : 'rows="3"'} style="font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #8a8a8a;border-radius:.5rem"></${control}><div id="${this.fieldId}-error" style="color:#b3261e"></div>`,
      );
      readonly input = this.view.getElementById(this.fieldId) as HTMLInputElement;
      constructor() {
        super();
        for (const event of ['change', 'input']) this.input.addEventListener(event, () => this.dispatchEvent(new Event(event, { bubbles: true })));
      }
      get value() {
        return this.input.value;
      }
      set value(v: string) {
        this.input.value = v ?? '';
      }
      get checked() {
        return this.input.checked;
      }
      set checked(v: boolean) {
        this.input.checked = Boolean(v);
      }
      attributeChangedCallback(attribute: string, _old: string | null, now: string | null) {
        if (attribute === 'label') this.view.querySelector('label')!.textContent = now ?? '';
        if (attribute === 'value' && now !== null) this.input.value = now;
        if (attribute === 'checked') this.input.checked = now !== null;
        if (attribute === 'disabled') this.input.disabled = now !== null;
        if (attribute === 'error') {
          const error = this.view.getElementById(`${this.fieldId}-error`)!;
          error.textContent = now ?? '';
          if (now) {
            this.input.setAttribute('aria-invalid', 'true');
            this.input.setAttribute('aria-describedby', `${this.fieldId}-error`);
          } else {
            this.input.removeAttribute('aria-invalid');
            this.input.removeAttribute('aria-describedby');
          }
        }
      }
    },
  );
}

field('s-text-field', 'input', 'text');
field('s-date-field', 'input', 'date');
field('s-text-area', 'textarea', '');
field('s-checkbox', 'input', 'checkbox');
