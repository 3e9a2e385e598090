import type { PresentedLead } from './queries.js';

/**
 * What a viewer sees of a lead: enough to know who wrote and what about, not enough to contact or identify them.
 * Names keep their initial, emails their first letter and domain, phones their last two digits; the address keeps
 * only its country; the birthday goes. The message and the custom answers stay: they are what the lead is about.
 */
const DOT = '•••';

export const maskName = (name: string | null) => (name ? `${[...name][0]}${DOT}` : name);

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? `${[...email][0]}${DOT}@${email.slice(at + 1)}` : DOT;
}

export const maskPhone = (phone: string | null) => (phone ? `${DOT}${phone.slice(-2)}` : phone);

export function maskLead(lead: PresentedLead): PresentedLead & { masked: true } {
  return {
    ...lead,
    email: maskEmail(lead.email),
    first_name: maskName(lead.first_name),
    last_name: maskName(lead.last_name),
    phone: maskPhone(lead.phone),
    birthday: lead.birthday ? DOT : null,
    address: lead.address ? (lead.address.country ? { country: lead.address.country } : {}) : null,
    logged_in_customer_id: lead.logged_in_customer_id ? DOT : null,
    masked: true,
  };
}
