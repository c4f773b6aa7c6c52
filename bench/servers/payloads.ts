// Bodies shared by the stubs and the load generator, so legacy and agent answer
// the same request with "equivalent" JSON and the POST body is exactly 2 KiB.

export const POST_BODY_BYTES = 2048;

/** A deterministic JSON order of exactly `bytes` bytes (padded through a `note` field). */
export function postBody(bytes = POST_BODY_BYTES): string {
  const lines = Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${String(i).padStart(4, '0')}`, qty: (i % 3) + 1, price: 9.99 + i }));
  const base = { customer: 'c-1042', currency: 'EUR', lines, note: '' };
  const pad = bytes - Buffer.byteLength(JSON.stringify(base));
  if (pad < 0) throw new Error(`base POST body is larger than ${bytes} bytes`);
  return JSON.stringify({ ...base, note: 'x'.repeat(pad) });
}

/** Twelve catalogue lines: what brings an answer to about 1 KiB of JSON, like a typical API object. */
const CATALOG = Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${String(i).padStart(4, '0')}`, name: `Item number ${i}`, stock: 3 * i, tags: ['a', 'b'] }));

/** What legacy answers: about 1 KiB of JSON, with a per-response requestId the comparison must ignore. */
export function legacyAnswer(requestId: number, receivedBytes: number): string {
  return JSON.stringify({
    price: 12.5,
    currency: 'EUR',
    items: [{ sku: 'SKU-0001', qty: 1 }, { sku: 'SKU-0002', qty: 2 }, { sku: 'SKU-0003', qty: 1 }],
    catalog: CATALOG,
    received: receivedBytes,
    meta: { requestId: `legacy-${requestId}` },
  });
}

/** The agent agrees with legacy except on every 20th answer (price differs), so both
 *  "match" and "mismatch" comparison results show up in the metrics. */
export function agentAnswer(requestId: number, receivedBytes: number): string {
  return JSON.stringify({
    price: requestId % 20 === 0 ? 12.75 : 12.5,
    currency: 'EUR',
    items: [{ sku: 'SKU-0001', qty: 1 }, { sku: 'SKU-0002', qty: 2 }, { sku: 'SKU-0003', qty: 1 }],
    catalog: CATALOG,
    received: receivedBytes,
    meta: { requestId: `agent-${requestId}` },
  });
}
