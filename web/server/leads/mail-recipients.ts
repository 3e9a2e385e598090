/** Who a form's staff mail goes to, shared by each-lead notifications (notifications.ts) and digests (digest.ts). */
export const MAX_RECIPIENTS = 5;
/** Characters of a lead's message quoted in a staff mail. */
export const SUMMARY_CHARS = 500;

export type WorkspaceLink = (shop: string, leadId: string) => string;

/** form_mail_settings.notify_to (comma-separated) as addresses. */
export function recipientsOf(notifyTo: string | null): string[] {
  return (notifyTo ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .slice(0, MAX_RECIPIENTS);
}
