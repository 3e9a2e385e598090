import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldsApi } from './api.js';

/**
 * The only place the extension touches the buyer-journey intercept, deprecated since 2026-07 (it still runs on
 * 2026-10 and will be removed). Its replacement, a cart and checkout validation Function, is not built yet (see the
 * README), so the intercept is kept, but the extension must not depend on it: when it is missing, refused or not
 * allowed to block, required answers become optional instead of the extension failing.
 *
 * Removing the intercept is a change to this file alone: replace its body with
 *   export const useRequiredAnswers = (..._: unknown[]): boolean => false;
 * and the checkout shows every question as optional, still writing the answers as cart attributes.
 */

/**
 * Whether checkout will let this extension hold the buyer: the intercept exists and the merchant granted the
 * `block_progress` capability (the checkout editor's "allow to block progress"; `canBlockProgress` says the same
 * per call, too late to word the questions).
 */
export function interceptAvailable(api: FieldsApi): boolean {
  return typeof api.buyerJourney?.intercept === 'function' && (api.extension?.capabilities.value ?? []).includes('block_progress');
}

/**
 * Holds the buyer at the step while `incomplete()` says required answers are missing (it also marks them, so the
 * buyer sees why). Returns whether required answers are enforced; when false, the caller shows them as optional.
 * `active` is false where nothing can be blocked (the thank-you page checks its own answers before posting).
 */
export function useRequiredAnswers(api: FieldsApi, active: boolean, incomplete: () => boolean, blockedMessage: () => string): boolean {
  // The intercept can still fail at install (removed under an old API version, or refused): then answers are optional.
  const [refused, setRefused] = useState(false);
  const enforced = active && !refused && interceptAvailable(api);
  // The interceptor is installed once; it reads the current answers through these refs, not a stale render's.
  const latest = useRef({ incomplete, blockedMessage });
  latest.current = { incomplete, blockedMessage };

  useEffect(() => {
    if (!enforced) return;
    let removed = false;
    let remove: (() => void) | undefined;
    const refuse = () => {
      if (!removed) setRefused(true);
    };
    try {
      api.buyerJourney!.intercept!(({ canBlockProgress }) =>
        canBlockProgress && latest.current.incomplete()
          ? { behavior: 'block', reason: 'Purchase questions need an answer', errors: [{ message: latest.current.blockedMessage() }] }
          : { behavior: 'allow' },
      ).then((teardown) => {
        if (removed) teardown();
        else remove = teardown;
      }, refuse);
    } catch {
      refuse();
    }
    return () => {
      removed = true;
      remove?.();
    };
  }, [enforced]);

  return enforced;
}
