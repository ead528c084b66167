// node --test internal/vote/e2e/js/ — the shared vectors pass in the browser bundle.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DB } from './load.mjs';

const V = JSON.parse(readFileSync(new URL('../testdata/vectors.json', import.meta.url), 'utf8'));

test('enc, Hs, Hb', () => {
  for (const e of V.enc) {
    const parts = e.parts.map(DB.fromHex);
    assert.equal(DB.toHex(DB.enc(e.tag, ...parts)), e.enc);
    assert.equal(DB.scalarHex(DB.Hs(e.tag, ...parts)), e.hs);
    assert.equal(DB.toHex(DB.Hb(e.tag, ...parts)), e.hb);
  }
});

test('test randomness', () => {
  assert.equal(DB.toHex(DB.testRng(V.rand.seed)(150)), V.rand.first_150_bytes);
  assert.equal(DB.scalarHex(DB.randomScalar(DB.testRng(V.rand.seed))), V.rand.first_scalar);
});

test('manifest JCS and hash', () => {
  assert.equal(DB.canonicalize(V.manifest), V.manifest_jcs);
  assert.equal(DB.manifestHash(V.manifest), V.manifest_hash);
});

test('points from scalars', () => {
  for (const p of V.points) {
    assert.equal(DB.pointHex(DB.Point.BASE.multiply(DB.parseScalar(p.scalar))), p.point);
  }
});

test('decoders refuse', () => {
  const g = DB.pointHex(DB.Point.BASE);
  assert.throws(() => DB.parsePoint(g.toUpperCase()));
  assert.throws(() => DB.parsePoint('ff'.repeat(32)));
  assert.throws(() => DB.parsePoint(g.slice(2)));
  assert.throws(() => DB.parseScalar('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'));
});

test('keygen proof', () => {
  const k = V.keygen;
  const got = DB.proveKeygen(k.manifest_hash, k.i, k.j, DB.parseScalar(k.a), DB.parseScalar(k.w));
  assert.equal(got.C, k.C);
  assert.deepEqual(got.proof, k.proof);
});

test('decryption share proof', () => {
  const s = V.share;
  const got = DB.proveShare(s.base_hash, s.m, s.j, DB.parseScalar(s.s), DB.parsePoint(s.A), DB.parseScalar(s.w));
  assert.equal(got.M, s.M);
  assert.deepEqual(got.proof, s.proof);
});

test('ballot, fingerprint, tracking code', () => {
  const b = V.ballot;
  const out = DB.encrypt({ jointKey: b.joint_key, baseHash: b.base_hash, maxSelections: b.max_selections, votes: b.votes, rng: DB.testRng(b.seed) });
  const want = { selections: b.ballot.selections, sum_proof: b.ballot.sum_proof };
  assert.deepEqual(out.ballot, want);
  assert.deepEqual(out.opening.r, b.r);
  assert.equal(out.fingerprint, b.fingerprint);
  assert.equal(DB.chainStart(b.base_hash), b.prev_code);
  assert.equal(DB.trackingCode(b.prev_code, out.ballot), b.code);
  assert.equal(DB.displayCode(b.code), b.display);
  const P = DB.parsePoint(b.joint_key);
  const Q = DB.fromHex(b.base_hash);
  const s0 = out.ballot.selections[0];
  assert.ok(DB.verifyRange(P, Q, 'option:0', 1, DB.parsePoint(s0.alpha), DB.parsePoint(s0.beta), s0.proof));
  assert.ok(!DB.verifyRange(P, Q, 'option:1', 1, DB.parsePoint(s0.alpha), DB.parsePoint(s0.beta), s0.proof));
  const sp = DB.spoil(b.base_hash, out.ballot, out.opening);
  assert.ok(DB.checkSpoiled(b.joint_key, sp));
  assert.equal(sp.selections[0].v, 1);
  assert.throws(() => DB.encrypt({ jointKey: b.joint_key, baseHash: b.base_hash, maxSelections: 2, votes: [true, true, true, false] }));
});
