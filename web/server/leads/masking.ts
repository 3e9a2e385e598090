import type { PresentedLead } from './queries.js';

/**
 * What a viewer sees of a lead: enough to know who wrote and what about, not enough to contact or identify them.
 * Names keep their initial, emails their first letter and domain, phones their last two digits; the address keeps
 * only its country; the birthday goes. The message and the custom answers stay: they are what the lead is about.
 * The company is masked like a name (for a business it names the person), and Shopify's customer and order ids are
 * hidden: with them a viewer could open the customer in the Shopify admin, or match the lead to an order, and read
 * there everything the mask hides here.
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
    email: lead.email === null ? null : maskEmail(lead.email),
    first_name: maskName(lead.first_name),
    last_name: maskName(lead.last_name),
    phone: maskPhone(lead.phone),
    company: maskName(lead.company),
    shopify_customer_id: lead.shopify_customer_id ? DOT : null,
    order_id: lead.order_id ? DOT : null,
    birthday: lead.birthday ? DOT : null,
    address: lead.address ? (lead.address.country ? { country: lead.address.country } : {}) : null,
    logged_in_customer_id: lead.logged_in_customer_id ? DOT : null,
    masked: true,
  };
}
