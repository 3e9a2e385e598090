import { describe, expect, it } from 'vitest';
import { FLOW_TRIGGER_RECEIVE } from '../../web/server/shopify/operations.js';
import { AdminEmulator } from './emulator.js';

const SHOP = 'emu-flow.myshopify.com';
const TOKEN = 'shpat_emu_flow';

function setup() {
  const emulator = new AdminEmulator();
  emulator.install(SHOP, TOKEN);
  const call = (query: string, variables: Record<string, unknown> = {}) => emulator.handle(TOKEN, { query, variables }) as { status: number; body: any };
  return { emulator, call, received: () => emulator.shopData(SHOP)!.flowTriggers };
}

describe('flowTriggerReceive in the Admin API emulator', () => {
  it('records a trigger the app declares, with its payload', () => {
    const { call, received } = setup();
    const response = call(FLOW_TRIGGER_RECEIVE, { handle: 'lead-captured', payload: { customer_id: 42, 'Lead id': 'l1', 'Email consent': true } });
    expect(response.body.data.flowTriggerReceive.userErrors).toEqual([]);
    expect(received()).toEqual([{ handle: 'lead-captured', payload: { customer_id: 42, 'Lead id': 'l1', 'Email consent': true }, at: expect.any(String) }]);
  });

  it.each([
    ['an unknown handle', { handle: 'order-shipped', payload: {} }, ['handle']],
    ['a field the trigger does not declare', { handle: 'lead-captured', payload: { Email: 'a@b.co' } }, ['payload', 'Email']],
    ['a value of the wrong type', { handle: 'lead-captured', payload: { 'Email consent': 'yes' } }, ['payload', 'Email consent']],
    ['a customer reference that is not an id', { handle: 'lead-captured', payload: { customer_id: 'gid://shopify/Customer/1' } }, ['payload', 'customer_id']],
    ['a payload over 50,000 bytes', { handle: 'lead-captured', payload: { Answers: 'x'.repeat(50_000) } }, ['payload']],
  ])('answers a userError for %s and records nothing', (_, variables, field) => {
    const { call, received } = setup();
    const errors = call(FLOW_TRIGGER_RECEIVE, variables).body.data.flowTriggerReceive.userErrors as Array<{ field: string[]; message: string }>;
    expect(errors.map((e) => e.field)).toContainEqual(field);
    expect(received()).toEqual([]);
  });

  it('takes a payload of exactly 50,000 bytes', () => {
    const { call, received } = setup();
    const base = JSON.stringify({ Answers: '' }).length;
    const payload = { Answers: 'x'.repeat(50_000 - base) };
    expect(call(FLOW_TRIGGER_RECEIVE, { handle: 'lead-captured', payload }).body.data.flowTriggerReceive.userErrors).toEqual([]);
    expect(received()).toHaveLength(1);
  });

  it('validates the operation against the 2026-10 schema (a selection FlowTriggerReceivePayload lacks is refused)', () => {
    const { call } = setup();
    const response = call('mutation { flowTriggerReceive(handle: "lead-captured", payload: {}) { userErrors { field message code } } }');
    expect(response.body.errors[0].message).toContain('code');
  });
});
