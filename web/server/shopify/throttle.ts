import type { CostInfo } from './admin-client.js';

/**
 * Paces calls per shop from the leaky bucket Shopify reports in `extensions.cost.throttleStatus`, so that steady
 * state spends points as fast as they come back and never hits THROTTLED.
 */
export interface Bucket {
  available: number;
  maximum: number;
  restoreRate: number;
  at: number;
}

export class ThrottlePacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Milliseconds to wait before a call of `cost` points fits in the shop's bucket (0 when unknown or enough). */
  waitFor(shop: string, cost: number): number {
    const bucket = this.buckets.get(shop);
    if (!bucket) return 0;
    const available = Math.min(bucket.maximum, bucket.available + (bucket.restoreRate * (this.clock() - bucket.at)) / 1000);
    if (available >= cost) return 0;
    return Math.ceil(((cost - available) / bucket.restoreRate) * 1000);
  }

  /** Shops whose bucket cannot take a call of `cost` points yet. */
  refilling(cost: number): string[] {
    return [...this.buckets.keys()].filter((shop) => this.waitFor(shop, cost) > 0);
  }

  /** Spend points locally the moment a call is sent, so two calls in flight do not both count the same points. */
  spend(shop: string, cost: number): void {
    const bucket = this.buckets.get(shop);
    if (!bucket) return;
    const now = this.clock();
    const available = Math.min(bucket.maximum, bucket.available + (bucket.restoreRate * (now - bucket.at)) / 1000);
    this.buckets.set(shop, { ...bucket, available: available - cost, at: now });
  }

  observe(shop: string, cost: CostInfo | null): void {
    if (!cost) return;
    const { currentlyAvailable, maximumAvailable, restoreRate } = cost.throttleStatus;
    this.buckets.set(shop, { available: currentlyAvailable, maximum: maximumAvailable, restoreRate, at: this.clock() });
  }
}
