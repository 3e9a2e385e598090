import MailChecker from 'mailchecker';

/**
 * Spam checks that never punish a human: none of them rejects a submission. A suspected bot's lead is stored as
 * quarantined (never synced to Shopify) and a person can release it from the workspace; the bot gets the same 202
 * as anyone, so it learns nothing from the answer.
 */
export const SPAM_REASONS = ['honeypot', 'too_fast', 'no_fill_time', 'disposable_email', 'link_stuffing'] as const;
export type SpamReason = (typeof SPAM_REASONS)[number];

export interface SpamSettings {
  /** A human needs at least this long between the form appearing and sending it. */
  minFillMs: number;
  /** More links than this in a message looks like link stuffing. */
  maxLinks: number;
}

export const DEFAULT_SPAM_SETTINGS: SpamSettings = { minFillMs: 2000, maxLinks: 3 };

export interface SpamSignals {
  honeypot: string | undefined;
  /** When the form was shown (ms since epoch), from the page; undefined when the client did not say. */
  renderedAt: number | undefined;
  email: string;
  message: string | undefined;
}

/** 2024-01-01: no form of this app was rendered before. */
const EARLIEST_RENDER = Date.UTC(2024, 0, 1);

const LINK = /\bhttps?:\/\/|\bwww\.|\[url[=\]]/gi;

export function spamVerdict(signals: SpamSignals, settings: SpamSettings, now: number): SpamReason | null {
  if (signals.honeypot) return 'honeypot';
  // A time before the app existed (0, -1) or a day ahead is not a time the page gave: the check would be skipped.
  if (signals.renderedAt === undefined || signals.renderedAt < EARLIEST_RENDER || signals.renderedAt > now + 86_400_000) return 'no_fill_time';
  if (now - signals.renderedAt < settings.minFillMs) return 'too_fast';
  if (!MailChecker.isValid(signals.email)) return 'disposable_email';
  if ((signals.message?.match(LINK)?.length ?? 0) > settings.maxLinks) return 'link_stuffing';
  return null;
}
