import {
  ColumnNode,
  ColumnUpdateNode,
  InsertQueryNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  TableNode,
  type UnknownRow,
  UpdateQueryNode,
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
  leads: ['email', 'first_name', 'last_name', 'phone', 'company', 'birthday', 'address', 'message', 'answers', 'proposed_changes'],
  compliance_requests: ['customer', 'package'],
  lead_notes: ['body'],
};
const ALL = new Set(Object.values(ENCRYPTED_COLUMNS).flat());

/**
 * Rewrites only the value lists of INSERTs and the SET list of UPDATEs on tables with encrypted columns, shallowly:
 * every other query passes through untouched, so reads and writes elsewhere pay nothing.
 */
class EncryptWrites {
  constructor(private readonly keyring: Keyring) {}

  private seal(value: unknown): unknown {
    return typeof value === 'string' && this.keyring.keyIdOf(value) === null ? this.keyring.encrypt(value) : value;
  }

  transform(node: RootOperationNode): RootOperationNode {
    if (InsertQueryNode.is(node)) return this.insert(node);
    if (UpdateQueryNode.is(node)) return this.update(node);
    return node;
  }

  private insert(node: InsertQueryNode): InsertQueryNode {
    const columns = ENCRYPTED_COLUMNS[node.into?.table.identifier.name ?? ''];
    if (!columns || !node.columns || !node.values || !ValuesNode.is(node.values)) return node;
    const targets = new Set(node.columns.map((c, i) => (columns.includes(c.column.name) ? i : -1)).filter((i) => i >= 0));
    if (!targets.size) return node;
    const values = node.values.values.map((list) => {
      if (PrimitiveValueListNode.is(list)) return PrimitiveValueListNode.create(list.values.map((v, i) => (targets.has(i) ? this.seal(v) : v)));
      if (ValueListNode.is(list)) return ValueListNode.create(list.values.map((v, i) => (targets.has(i) && ValueNode.is(v) ? ValueNode.create(this.seal(v.value)) : v)));
      return list;
    });
    return { ...node, values: ValuesNode.create(values) };
  }

  private update(node: UpdateQueryNode): UpdateQueryNode {
    const table = node.table && TableNode.is(node.table) ? node.table.table.identifier.name : undefined;
    const columns = table ? ENCRYPTED_COLUMNS[table] : undefined;
    if (!columns || !node.updates) return node;
    const updates = node.updates.map((u) => {
      const name = ColumnNode.is(u.column) ? u.column.column.name : undefined;
      return name && columns.includes(name) && ValueNode.is(u.value) ? ColumnUpdateNode.create(u.column, ValueNode.create(this.seal(u.value.value))) : u;
    });
    return { ...node, updates };
  }
}

export class FieldEncryptionPlugin implements KyselyPlugin {
  private readonly writer: EncryptWrites;

  constructor(private readonly keyring: Keyring) {
    this.writer = new EncryptWrites(keyring);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.writer.transform(args.node);
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
