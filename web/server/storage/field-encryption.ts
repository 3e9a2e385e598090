import {
  AliasNode,
  AndNode,
  BinaryOperationNode,
  ColumnNode,
  ColumnUpdateNode,
  IdentifierNode,
  InsertQueryNode,
  type KyselyPlugin,
  OperatorNode,
  type OperationNode,
  ParensNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PrimitiveValueListNode,
  type QueryId,
  type QueryResult,
  ReferenceNode,
  type RootOperationNode,
  SelectAllNode,
  SelectQueryNode,
  SelectionNode,
  TableNode,
  type UnknownRow,
  UpdateQueryNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  sql,
} from 'kysely';
import { type Keyring, Undecryptable } from './keyring.js';

/**
 * Encrypts personal columns as they are written and decrypts them as they are read, for every query that goes
 * through Kysely, so no code path can store a name or an email in the clear by forgetting a call.
 * Equality filters on these columns would compare ciphertexts: code looks them up by keyed hash instead.
 * Every value is bound to its table, column and row id (AES-GCM additional data): a ciphertext moved to another row
 * or column does not open. So a write of one of these columns names its row (INSERT with its id, UPDATE ... WHERE id
 * = or IN): a write that does not is refused before it reaches the database, rather than stored unbound.
 */
export const ENCRYPTED_COLUMNS: Record<string, readonly string[]> = {
  leads: ['email', 'first_name', 'last_name', 'phone', 'company', 'birthday', 'address', 'message', 'answers', 'proposed_changes'],
  compliance_requests: ['customer', 'package'],
  lead_notes: ['body'],
  mail_messages: ['to_address', 'params'],
};

/**
 * What a read gets in place of a value that does not open (a missing key, a corrupted or moved ciphertext): the
 * query still answers, and callers show it as unreadable. The plugin refuses to write it back, so it never replaces
 * the stored ciphertext (which a key listed later may still open).
 */
export const UNREADABLE = '\u0000unreadable\u0000';

export const isUnreadable = (value: unknown): boolean => value === UNREADABLE;

/**
 * A row as it may leave the server: a value that did not open becomes null and its column is named in
 * `unreadable`, so a page or a package shows "unreadable" rather than a marker or nothing at all.
 */
export function readableRow<T extends object>(row: T): T & { unreadable?: string[] } {
  const unreadable = Object.keys(row).filter((key) => isUnreadable((row as Record<string, unknown>)[key]));
  if (!unreadable.length) return row;
  return { ...row, ...Object.fromEntries(unreadable.map((key) => [key, null])), unreadable };
}

/** Where a value that did not open lives; ids and names only, never the value. */
export interface UnreadableCell {
  table: string;
  column: string;
  id: string | null;
  reason: Undecryptable['reason'];
}

export const bindingOf = (table: string, column: string, id: string) => `${table}|${column}|${id}`;

export class EncryptionRefused extends Error {
  override readonly name = 'EncryptionRefused';
}

const tableName = (node: OperationNode | undefined): string | undefined => (node && TableNode.is(node) ? node.table.identifier.name : undefined);
const columnOf = (node: OperationNode): string | undefined =>
  ColumnNode.is(node) ? node.column.name : ReferenceNode.is(node) && ColumnNode.is(node.column) ? node.column.column.name : undefined;

/**
 * The row ids an UPDATE's WHERE pins: a top-level `id = value` or `id in (values)`, possibly ANDed with other
 * conditions (which can only narrow the rows to a subset of these ids). Anything else: null.
 */
function pinnedIds(node: OperationNode | undefined): readonly string[] | null {
  if (!node) return null;
  if (AndNode.is(node)) return pinnedIds(node.left) ?? pinnedIds(node.right);
  if (ParensNode.is(node)) return pinnedIds(node.node);
  if (!BinaryOperationNode.is(node) || columnOf(node.leftOperand) !== 'id' || !OperatorNode.is(node.operator)) return null;
  const right = node.rightOperand;
  const op = node.operator.operator;
  if (op === '=' && ValueNode.is(right) && typeof right.value === 'string') return [right.value];
  if (op !== 'in') return null;
  const values = PrimitiveValueListNode.is(right)
    ? right.values
    : ValueListNode.is(right)
      ? right.values.map((v) => (ValueNode.is(v) ? v.value : undefined))
      : [];
  return values.length && values.every((v): v is string => typeof v === 'string') ? values : null;
}

/**
 * Rewrites only the value lists of INSERTs and the SET list of UPDATEs on tables with encrypted columns, shallowly:
 * every other query passes through untouched, so reads and writes elsewhere pay nothing. Every string is encrypted,
 * whatever it looks like: a shopper's text shaped like ciphertext is still the shopper's text.
 */
class EncryptWrites {
  constructor(private readonly keyring: Keyring) {}

  private seal(table: string, column: string, id: unknown, value: unknown): unknown {
    if (typeof value !== 'string') return value;
    if (value === UNREADABLE) throw new EncryptionRefused(`an unreadable value read from ${table}.${column} was about to be written back`);
    if (typeof id !== 'string' || !id) throw new EncryptionRefused(`${table}.${column} is written without its row id`);
    return this.keyring.encrypt(value, bindingOf(table, column, id));
  }

  transform(node: RootOperationNode): RootOperationNode {
    if (InsertQueryNode.is(node)) return this.insert(node);
    if (UpdateQueryNode.is(node)) return this.update(node);
    return node;
  }

  private insert(node: InsertQueryNode): InsertQueryNode {
    const table = node.into?.table.identifier.name ?? '';
    const columns = ENCRYPTED_COLUMNS[table];
    if (!columns || !node.columns || !node.values) return node;
    const names = node.columns.map((c) => c.column.name);
    const targets = new Set(names.map((name, i) => (columns.includes(name) ? i : -1)).filter((i) => i >= 0));
    if (!targets.size) return node;
    if (!ValuesNode.is(node.values)) throw new EncryptionRefused(`${table} is written from a query; its encrypted columns need values`);
    const idAt = names.indexOf('id');
    const values = node.values.values.map((list) => {
      if (PrimitiveValueListNode.is(list)) {
        const id = list.values[idAt];
        return PrimitiveValueListNode.create(list.values.map((v, i) => (targets.has(i) ? this.seal(table, names[i]!, id, v) : v)));
      }
      if (ValueListNode.is(list)) {
        const idNode = list.values[idAt];
        const id = idNode && ValueNode.is(idNode) ? idNode.value : undefined;
        return ValueListNode.create(
          list.values.map((v, i) => {
            if (!targets.has(i)) return v;
            if (!ValueNode.is(v)) throw new EncryptionRefused(`${table}.${names[i]} is written from an expression`);
            return ValueNode.create(this.seal(table, names[i]!, id, v.value));
          }),
        );
      }
      return list;
    });
    return { ...node, values: ValuesNode.create(values) };
  }

  private update(node: UpdateQueryNode): UpdateQueryNode {
    const table = tableName(node.table);
    const columns = table ? ENCRYPTED_COLUMNS[table] : undefined;
    if (!table || !columns || !node.updates) return node;
    let ids: readonly string[] | null | undefined;
    const updates = node.updates.map((u) => {
      const name = columnOf(u.column);
      if (!name || !columns.includes(name)) return u;
      if (!ValueNode.is(u.value)) throw new EncryptionRefused(`${table}.${name} is set from an expression`);
      const value = u.value.value;
      if (typeof value !== 'string') return u;
      ids ??= pinnedIds(node.where?.where);
      if (!ids) throw new EncryptionRefused(`${table}.${name} is updated without naming its rows by id`);
      const [only] = ids;
      if (ids.length === 1 && only !== undefined) return ColumnUpdateNode.create(u.column, ValueNode.create(this.seal(table, name, only, value)));
      // Several rows get the same text, each under its own binding: one statement still, a CASE on the row id.
      const cases = ids.map((id) => sql`when ${id} then ${this.seal(table, name, id, value)}`);
      return ColumnUpdateNode.create(u.column, sql`case ${sql.ref('id')} ${sql.join(cases, sql` `)} end`.toOperationNode());
    });
    return { ...node, updates };
  }
}

/** Which outputs of a SELECT are encrypted columns, and where each one's row id is in the same row. */
interface Cell {
  output: string;
  table: string;
  column: string;
  idOutput: string;
}
interface ReadPlan {
  cells: Cell[];
  hidden: string[];
}

const HIDDEN_ID = '__cc_row_id_';

/**
 * Plans the decryption of a SELECT from its syntax tree: the encrypted columns it outputs, by table, and the output
 * that carries each table's row id. When the query does not select that id, it is added under a hidden name and
 * removed from the rows afterwards, so no reader has to remember to select it.
 */
function planRead(node: SelectQueryNode): { node: SelectQueryNode; plan: ReadPlan | null } {
  // alias (or table name) -> table, for the tables with encrypted columns that the query reads from
  const sources = new Map<string, string>();
  const addSource = (from: OperationNode) => {
    const inner = AliasNode.is(from) ? from.node : from;
    const table = tableName(inner);
    if (!table || !ENCRYPTED_COLUMNS[table]) return;
    const alias = AliasNode.is(from) && IdentifierNode.is(from.alias) ? from.alias.name : table;
    sources.set(alias, table);
  };
  for (const from of node.from?.froms ?? []) addSource(from);
  for (const join of node.joins ?? []) addSource(join.table);
  if (!sources.size || !node.selections) return { node, plan: null };
  const fromCount = (node.from?.froms.length ?? 0) + (node.joins?.length ?? 0);

  const wanted: Array<{ output: string; alias: string; column: string }> = [];
  const idOutputs = new Map<string, string>();
  const aliasFor = (reference: OperationNode, column: string): string | undefined => {
    const qualifier = ReferenceNode.is(reference) ? tableName(reference.table) : undefined;
    if (qualifier) return sources.has(qualifier) ? qualifier : undefined;
    const owners = [...sources].filter(([, table]) => (column === 'id' ? fromCount === 1 : ENCRYPTED_COLUMNS[table]!.includes(column)));
    return owners.length === 1 ? owners[0]![0] : undefined;
  };
  for (const { selection } of node.selections) {
    if (SelectAllNode.is(selection) || (ReferenceNode.is(selection) && SelectAllNode.is(selection.column))) {
      const qualifier = ReferenceNode.is(selection) ? tableName(selection.table) : undefined;
      for (const [alias, table] of sources) {
        if (qualifier ? qualifier !== alias : fromCount !== 1) continue;
        for (const column of ENCRYPTED_COLUMNS[table]!) wanted.push({ output: column, alias, column });
        idOutputs.set(alias, 'id');
      }
      continue;
    }
    const reference = AliasNode.is(selection) ? selection.node : selection;
    const column = columnOf(reference);
    if (!column) continue;
    const alias = aliasFor(reference, column);
    if (!alias) continue;
    const output = AliasNode.is(selection) && IdentifierNode.is(selection.alias) ? selection.alias.name : column;
    if (column === 'id') idOutputs.set(alias, output);
    else if (ENCRYPTED_COLUMNS[sources.get(alias)!]!.includes(column)) wanted.push({ output, alias, column });
  }
  if (!wanted.length) return { node, plan: null };
  const hidden: string[] = [];
  const extra: SelectionNode[] = [];
  for (const alias of new Set(wanted.map((w) => w.alias))) {
    if (idOutputs.has(alias)) continue;
    const name = `${HIDDEN_ID}${hidden.length}`;
    hidden.push(name);
    idOutputs.set(alias, name);
    extra.push(SelectionNode.create(AliasNode.create(ReferenceNode.create(ColumnNode.create('id'), TableNode.create(alias)), IdentifierNode.create(name))));
  }
  const cells = wanted.map((w) => ({ output: w.output, table: sources.get(w.alias)!, column: w.column, idOutput: idOutputs.get(w.alias)! }));
  return { node: extra.length ? SelectQueryNode.cloneWithSelections(node, extra) : node, plan: { cells, hidden } };
}

export class FieldEncryptionPlugin implements KyselyPlugin {
  private readonly writer: EncryptWrites;
  private readonly plans = new WeakMap<QueryId, ReadPlan>();

  constructor(
    private readonly keyring: Keyring,
    private readonly onUnreadable: (cells: UnreadableCell[]) => void = () => {},
  ) {
    this.writer = new EncryptWrites(keyring);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (!SelectQueryNode.is(args.node)) return this.writer.transform(args.node);
    const { node, plan } = planRead(args.node);
    if (plan) this.plans.set(args.queryId, plan);
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const plan = this.plans.get(args.queryId);
    if (!plan) return args.result;
    this.plans.delete(args.queryId);
    const unreadable: UnreadableCell[] = [];
    for (const row of args.result.rows) {
      for (const cell of plan.cells) {
        const value = row[cell.output];
        // A value stored before encryption existed is not ciphertext: it reads as it is until re-encrypted.
        if (typeof value !== 'string' || this.keyring.keyIdOf(value) === null) continue;
        const id = row[cell.idOutput];
        try {
          if (typeof id !== 'string') throw new Undecryptable('format');
          row[cell.output] = this.keyring.decrypt(value, bindingOf(cell.table, cell.column, id));
        } catch (error) {
          row[cell.output] = UNREADABLE;
          unreadable.push({
            table: cell.table,
            column: cell.column,
            id: typeof id === 'string' ? id : null,
            reason: error instanceof Undecryptable ? error.reason : 'format',
          });
        }
      }
      for (const name of plan.hidden) delete row[name];
    }
    if (unreadable.length) this.onUnreadable(unreadable);
    return args.result;
  }
}
