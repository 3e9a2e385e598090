import {
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  TypeInfo,
  getNamedType,
  isCompositeType,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/**
 * Shopify's calculated query cost, approximated: a mutation costs 10 points; in a query each object costs 1 and a
 * connection costs 2 plus `first` (or `last`) times the cost of one node. Scalars are free.
 */
export const MUTATION_COST = 10;
export const MAX_SINGLE_QUERY_COST = 1000;

export function requestedCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  if (operation.operation === OperationTypeNode.MUTATION) {
    return operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD).length * MUTATION_COST;
  }
  const typeInfo = new TypeInfo(schema);
  let total = 0;
  const sizeOf = (node: FieldNode) => {
    for (const arg of node.arguments ?? []) {
      if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
      if (arg.value.kind === Kind.INT) return Number(arg.value.value);
      if (arg.value.kind === Kind.VARIABLE && arg.value.name) return Number(variables[arg.value.name.value] ?? 1);
    }
    return 1;
  };
  // Every composite field adds 1 (a connection 2), times the sizes of the connections around it.
  const multipliers: number[] = [1];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const type = typeInfo.getType();
          const named = type ? getNamedType(type) : null;
          const multiplier = multipliers[multipliers.length - 1] ?? 1;
          if (named && isCompositeType(named)) {
            const isConnection = named.name.endsWith('Connection');
            total += multiplier * (isConnection ? 2 : 1);
            multipliers.push(isConnection ? multiplier * sizeOf(node) : multiplier);
          } else {
            multipliers.push(multiplier);
          }
        },
        leave() {
          multipliers.pop();
        },
      },
    }),
  );
  return Math.max(1, total);
}

export interface BucketSettings {
  maximumAvailable: number;
  restoreRate: number;
}

/** A leaky bucket per shop, as Shopify keeps per app and store. */
export class CostBucket {
  private available: number;
  private at: number;

  constructor(
    private settings: BucketSettings,
    private readonly clock: () => number = Date.now,
  ) {
    this.available = settings.maximumAvailable;
    this.at = clock();
  }

  configure(settings: BucketSettings): void {
    this.settings = settings;
    this.available = Math.min(this.level(), settings.maximumAvailable);
  }

  private level(): number {
    const now = this.clock();
    this.available = Math.min(this.settings.maximumAvailable, this.available + ((now - this.at) / 1000) * this.settings.restoreRate);
    this.at = now;
    return this.available;
  }

  tryTake(cost: number): boolean {
    if (this.level() < cost) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.available = Math.min(this.settings.maximumAvailable, this.level() + points);
  }

  status() {
    return { maximumAvailable: this.settings.maximumAvailable, currentlyAvailable: Math.floor(this.level()), restoreRate: this.settings.restoreRate };
  }
}
