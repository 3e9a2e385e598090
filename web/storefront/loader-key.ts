/** A random idempotency key; crypto.randomUUID where the browser has it (secure contexts), else Math.random. */
export function freshKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `k${Date.now().toString(36)}${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
