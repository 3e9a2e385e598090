import type { OutboxJob } from '../storage/tables.js';

/** One committed write of outbox jobs: which leads, of which shops, now wait for the worker. */
export interface LeadQueued {
  jobs: ReadonlyArray<{ shop: string; leadId: string | null; kind: OutboxJob['kind'] }>;
}

export type Listener<T> = (event: T) => void;

/** A small typed notifier: synchronous listeners, each isolated from the others. */
export class Notifier<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Returns the unsubscribe function (a runtime that closes stops listening). */
  subscribe(listener: Listener<T>): () => void {
    // Wrapped so the same function subscribed twice is two subscriptions, each removed by its own unsubscribe.
    const entry: Listener<T> = (event) => listener(event);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener only wakes something up; its failure must not stop the others, nor reach the writer whose
        // transaction has already committed. A lost wake costs one poll interval at most.
      }
    }
  }
}

/**
 * "Lead queued": fired by the outbox writer (outbox.ts) once the jobs it wrote are committed, never before, so a worker
 * woken by it always finds them. The composition root subscribes the worker to it. It is process-wide: every write in
 * this process reaches every worker of this process (one in production; a test running two runtimes wakes both, which
 * costs each one an early poll and nothing else).
 */
export const leadQueued = new Notifier<LeadQueued>();
