import type { Kysely } from 'kysely';
import type { Database } from '../storage/tables.js';

/** The shop's sender, as the merchant set it in the workspace; null until both the address and the name are there. */
export interface Sender {
  address: string;
  name: string;
  /** Reply-To for mail a shopper may answer; null = answers go to `address`. */
  replyTo: string | null;
}

export async function shopSender(db: Kysely<Database>, shop: string): Promise<Sender | null> {
  const row = await db.selectFrom('shops').select(['mail_from', 'mail_from_name', 'mail_reply_to']).where('shop', '=', shop).executeTakeFirst();
  return row?.mail_from && row.mail_from_name ? { address: row.mail_from, name: row.mail_from_name, replyTo: row.mail_reply_to } : null;
}

/** Why this shop's mail cannot go out now (machine-readable, shown by the workspace); empty when it can. */
export type MailProblem = 'smtp_not_configured' | 'sender_missing';

export function mailProblems(smtpConfigured: boolean, sender: Sender | null): MailProblem[] {
  return [...(smtpConfigured ? [] : (['smtp_not_configured'] as const)), ...(sender ? [] : (['sender_missing'] as const))];
}
