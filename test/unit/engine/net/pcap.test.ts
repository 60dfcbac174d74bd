import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGlobalHeader, pcapGlobalHeader, PcapRecordSplitter } from '../../../../engine/net/pcap.js';

/** A record as tcpdump writes it on a little-endian host. */
export function record(bytes: number, t = 1): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(t, 0);
  h.writeUInt32LE(0, 4);
  h.writeUInt32LE(bytes, 8);
  h.writeUInt32LE(bytes, 12);
  return Buffer.concat([h, Buffer.alloc(bytes, t & 0xff)]);
}

test('the global header round-trips: magic, version, snaplen, link type', () => {
  const h = pcapGlobalHeader(1600, 1, true);
  assert.equal(h.length, 24);
  assert.equal(h.readUInt32LE(0), 0xa1b2c3d4);
  assert.deepEqual([h.readUInt16LE(4), h.readUInt16LE(6)], [2, 4]);
  assert.deepEqual(parseGlobalHeader(h), { littleEndian: true, nanos: false, snaplen: 1600, linktype: 1 });
  assert.deepEqual(parseGlobalHeader(pcapGlobalHeader(100, 1, false)), { littleEndian: false, nanos: false, snaplen: 100, linktype: 1 });
  assert.throws(() => parseGlobalHeader(Buffer.alloc(24)), /bad magic/);
});

test('the splitter hands out whole records only, however the stream is cut', () => {
  const stream = Buffer.concat([pcapGlobalHeader(1600, 1, true), record(60, 1), record(98, 2), record(1514, 3)]);
  for (const cut of [1, 7, 24, 40, 100, 1000]) {
    const s = new PcapRecordSplitter();
    const out: Buffer[] = [];
    for (let at = 0; at < stream.length; at += cut) {
      const whole = s.push(stream.subarray(at, at + cut));
      if (whole.length) {
        // every emitted run starts on a record header and ends on a record boundary
        let p = 0;
        while (p < whole.length) p += 16 + whole.readUInt32LE(p + 8);
        assert.equal(p, whole.length, `cut ${cut}`);
        out.push(whole);
      }
    }
    assert.equal(s.packets, 3);
    assert.equal(s.pending, 0);
    assert.deepEqual(Buffer.concat(out), stream.subarray(24));
  }
});

test('a half record is held back, and a corrupt length is refused', () => {
  const s = new PcapRecordSplitter();
  const rec = record(100);
  assert.equal(s.push(Buffer.concat([pcapGlobalHeader(1600, 1, true), rec.subarray(0, 50)])).length, 0);
  assert.equal(s.pending, 50);
  const bad = Buffer.alloc(16);
  bad.writeUInt32LE(10_000_000, 8);
  const t = new PcapRecordSplitter();
  assert.throws(() => t.push(Buffer.concat([pcapGlobalHeader(1600, 1, true), bad])), /corrupt/);
});
