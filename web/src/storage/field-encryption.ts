import {
  ColumnUpdateNode,
  type KyselyPlugin,
  type OperationNode,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  ValueListNode,
  ValueNode,
  ValuesNode,
} from 'kysely';
import type { Keyring } from './keyring.js';

/**
 * Encrypts personal columns as they are written and decrypts them as they are read, for every query that goes
 * through Kysely, so no code path can store a name or an email in the clear by forgetting a call.
 * Equality filters on these columns would compare ciphertexts: code looks them up by keyed hash instead.
 */
export const ENCRYPTED_COLUMNS: Record<string, readonly string[]> = {
  leads: ['email', 'first_name', 'last_name', 'phone', 'company', 'birthday', 'address', 'message', 'answers'],
  compliance_requests: ['customer', 'package'],
};
const ALL = new Set(Object.values(ENCRYPTED_COLUMNS).flat());

class EncryptWrites extends OperationNodeTransformer {
  constructor(private readonly keyring: Keyring) {
    super();
  }

  private seal(value: unknown): unknown {
    return typeof value === 'string' && this.keyring.keyIdOf(value) === null ? this.keyring.encrypt(value) : value;
  }

  protected override transformInsertQuery(node: Parameters<OperationNodeTransformer['transformInsertQuery']>[0]) {
    const result = super.transformInsertQuery(node);
    const table = node.into?.table.identifier.name;
    const columns = table ? ENCRYPTED_COLUMNS[table] : undefined;
    if (!columns || !result.columns || !result.values || result.values.kind !== 'ValuesNode') return result;
    const targets = result.columns.map((c, i) => (columns.includes(c.column.name) ? i : -1)).filter((i) => i >= 0);
    if (!targets.length) return result;
    const values = (result.values as ValuesNode).values.map((list) => {
      if (PrimitiveValueListNode.is(list)) return PrimitiveValueListNode.create(list.values.map((v, i) => (targets.includes(i) ? this.seal(v) : v)));
      if (ValueListNode.is(list)) return ValueListNode.create(list.values.map((v, i) => (targets.includes(i) && ValueNode.is(v) ? ValueNode.create(this.seal(v.value)) : v)));
      return list;
    });
    return { ...result, values: ValuesNode.create(values) };
  }

  protected override transformUpdateQuery(node: Parameters<OperationNodeTransformer['transformUpdateQuery']>[0]) {
    const result = super.transformUpdateQuery(node);
    const table = node.table && 'table' in node.table ? (node.table as { table: { identifier: { name: string } } }).table.identifier.name : undefined;
    const columns = table ? ENCRYPTED_COLUMNS[table] : undefined;
    if (!columns || !result.updates) return result;
    const updates = result.updates.map((u) => {
      const name = (u.column as { column?: { name: string } }).column?.name;
      return name && columns.includes(name) && ValueNode.is(u.value) ? ColumnUpdateNode.create(u.column, ValueNode.create(this.seal(u.value.value))) : u;
    });
    return { ...result, updates };
  }
}

export class FieldEncryptionPlugin implements KyselyPlugin {
  private readonly writer: EncryptWrites;

  constructor(private readonly keyring: Keyring) {
    this.writer = new EncryptWrites(keyring);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.writer.transformNode(args.node as OperationNode) as RootOperationNode;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) {
      for (const key of Object.keys(row)) {
        const value = row[key];
        if (ALL.has(key) && typeof value === 'string' && this.keyring.keyIdOf(value) !== null) row[key] = this.keyring.decrypt(value);
      }
    }
    return args.result;
  }
}
