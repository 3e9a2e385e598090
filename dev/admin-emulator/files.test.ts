import { describe, expect, it } from 'vitest';
import { FILE_CREATE, FILE_DELETE, METAFIELDS_SET, STAGED_UPLOADS_CREATE } from '../../web/server/shopify/operations.js';
import { AdminEmulator } from './emulator.js';
import { acceptStagedPost, storeStaged } from './files.js';

/** Shopify Files in the emulator: the app's operations, validated against the schema, with userErrors and cost. */
const SHOP = 'files.myshopify.com';
const TOKEN = 'shpat_files';
type Body = { data?: Record<string, any>; errors?: Array<{ message: string }>; extensions?: { cost: { requestedQueryCost: number } } };

function setup() {
  const emulator = new AdminEmulator();
  emulator.install(SHOP, TOKEN);
  emulator.publicOrigin = 'http://emu.test';
  const call = (query: string, variables: Record<string, unknown> = {}) => emulator.handle(TOKEN, { query, variables }).body as Body;
  return { emulator, call };
}

function stageAndPost(t: ReturnType<typeof setup>, bytes: Buffer, size = bytes.length) {
  const staged = t.call(STAGED_UPLOADS_CREATE, {
    input: [{ filename: 'a.pdf', mimeType: 'application/pdf', fileSize: String(size), httpMethod: 'POST', resource: 'FILE' }],
  });
  const target = staged.data!.stagedUploadsCreate.stagedTargets[0] as { url: string; resourceUrl: string; parameters: Array<{ name: string; value: string }> };
  const form = new FormData();
  for (const p of target.parameters) form.append(p.name, p.value);
  form.append('file', new Blob([new Uint8Array(bytes)]));
  const verdict = acceptStagedPost(t.emulator.allShopData(), t.emulator.filesContext(), form);
  if (verdict.status === 204) storeStaged(t.emulator.allShopData(), form.get('key') as string, bytes);
  return { target, verdict, staged };
}

describe('emulated Shopify Files', () => {
  it('stages a POST target that refuses a larger body or a forged policy, and charges a mutation', () => {
    const t = setup();
    const { target, verdict, staged } = stageAndPost(t, Buffer.from('%PDF-1.4'), 8);
    expect(staged.extensions!.cost.requestedQueryCost).toBe(10);
    expect(target.url).toBe('http://emu.test/__emulator/staged-uploads');
    expect(verdict.status).toBe(204);
    expect(stageAndPost(t, Buffer.alloc(100), 10).verdict).toMatchObject({ status: 400, code: 'EntityTooLarge' });

    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.name === 'x-goog-signature' ? '0'.repeat(64) : p.value);
    form.append('file', new Blob(['x']));
    expect(acceptStagedPost(t.emulator.allShopData(), t.emulator.filesContext(), form)).toMatchObject({ status: 403 });
  });

  it('stagedUploadsCreate answers userErrors for a missing filename, and the schema refuses an unknown resource', () => {
    const t = setup();
    const blank = t.call(STAGED_UPLOADS_CREATE, {
      input: [{ filename: '', mimeType: 'application/pdf', fileSize: '1', httpMethod: 'POST', resource: 'FILE' }],
    });
    expect(blank.data!.stagedUploadsCreate).toMatchObject({ stagedTargets: null, userErrors: [{ field: ['input', '0', 'filename'] }] });
    const invalid = t.call(STAGED_UPLOADS_CREATE, { input: [{ filename: 'a', mimeType: 'x', resource: 'NOPE' }] });
    expect(invalid.errors?.[0]?.message).toContain('NOPE');
  });

  it('fileCreate takes only an uploaded staged file of this shop; fileDelete is atomic and names what does not exist', () => {
    const t = setup();
    const { target } = stageAndPost(t, Buffer.from('%PDF-1.4 hello'));
    const external = t.call(FILE_CREATE, { files: [{ originalSource: 'https://evil.example/x.pdf', contentType: 'FILE' }] });
    expect(external.data!.fileCreate).toMatchObject({ files: null, userErrors: [{ code: 'INVALID' }] });
    const created = t.call(FILE_CREATE, { files: [{ originalSource: target.resourceUrl, contentType: 'FILE', filename: 'a.pdf' }] });
    const file = created.data!.fileCreate.files[0] as { id: string; url: string; fileStatus: string };
    expect(file).toMatchObject({ fileStatus: 'READY', url: expect.stringContaining('/__emulator/files/') });
    // The staged object became the file: it cannot be made a second file.
    expect(t.call(FILE_CREATE, { files: [{ originalSource: target.resourceUrl }] }).data!.fileCreate.userErrors).toHaveLength(1);

    const listed = t.call('query ListFiles { files(first: 5) { nodes { id fileStatus ... on GenericFile { url mimeType } } } }');
    expect(listed.data!.files.nodes).toEqual([expect.objectContaining({ id: file.id, mimeType: 'application/pdf' })]);
    const node = t.call('query One($id: ID!) { node(id: $id) { id ... on GenericFile { originalFileSize } } }', { id: file.id });
    expect(node.data!.node).toEqual({ id: file.id, originalFileSize: 14 });

    const missing = 'gid://shopify/GenericFile/999999';
    const partial = t.call(FILE_DELETE, { fileIds: [file.id, missing] });
    expect(partial.data!.fileDelete).toMatchObject({ deletedFileIds: null, userErrors: [{ code: 'FILE_DOES_NOT_EXIST' }] });
    expect(t.emulator.shopData(SHOP)!.files.has(file.id)).toBe(true);
    expect(t.call(FILE_DELETE, { fileIds: [file.id] }).data!.fileDelete).toEqual({ deletedFileIds: [file.id], userErrors: [] });
    expect(t.call('query { files(first: 5) { nodes { id } } }').data!.files.nodes).toEqual([]);
  });

  it('a file_reference metafield must name an existing file, and reads back its file until that is deleted', () => {
    const t = setup();
    const customer = t.emulator.shopData(SHOP)!.addCustomer({ email: 'f@example.com' });
    const refused = t.call(METAFIELDS_SET, {
      metafields: [{ ownerId: customer.id, key: 'attachment', type: 'file_reference', value: 'gid://shopify/GenericFile/1' }],
    });
    expect(refused.data!.metafieldsSet.userErrors[0]).toMatchObject({ code: 'INVALID_VALUE' });
    const { target } = stageAndPost(t, Buffer.from('%PDF-1.4'));
    const id = t.call(FILE_CREATE, { files: [{ originalSource: target.resourceUrl }] }).data!.fileCreate.files[0].id as string;
    expect(
      t.call(METAFIELDS_SET, { metafields: [{ ownerId: customer.id, key: 'attachment', type: 'file_reference', value: id }] }).data!.metafieldsSet.userErrors,
    ).toEqual([]);
    const read = () =>
      t.call('query C($id: ID!) { customer(id: $id) { metafield(key: "attachment") { type value reference { ... on GenericFile { id } } } } }', {
        id: customer.id,
      }).data!.customer.metafield;
    expect(read()).toEqual({ type: 'file_reference', value: id, reference: { id } });
    t.call(FILE_DELETE, { fileIds: [id] });
    expect(read().reference).toBeNull();
  });
});
