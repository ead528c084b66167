// Dais verifiable ballots in the browser: ELECTION.md v1 (../shared/ELECTION.md) §1, §3–§5.
// Bundled with @noble/curves (ristretto255) and @noble/hashes (SHA-256/512) by
// scripts/vendor-js into internal/vote/e2e/static/ballot.js, which defines the global
// DaisBallot. Keep in step with internal/vote/e2e (Go): testdata/vectors.json binds both.
import { ristretto255 } from '@noble/curves/ed25519.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

const Point = ristretto255.Point;
const G = Point.BASE;
const ZERO = Point.ZERO;
export const ELL = 2n ** 252n + 27742317777372353535851937790883648493n;

// --- bytes and encodings (§1) ---
const te = new TextEncoder();
export function utf8(s) { return te.encode(s); }

export function toHex(b) {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s) {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) {
    throw new Error('not lowercase hex');
  }
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function u32(n) { return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }

export function u64(n) {
  const b = new Uint8Array(8);
  let x = BigInt(n);
  for (let i = 7; i >= 0; i--) { b[i] = Number(x & 255n); x >>= 8n; }
  return b;
}

// enc(tag, p1, …, pn): each part prefixed by its u32be length.
export function enc(tag, ...parts) {
  const t = utf8(tag);
  const out = [u32(t.length), t];
  for (const p of parts) out.push(u32(p.length), p);
  return concat(out);
}

function leToBig(b) {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}

// Hs: SHA-512(enc(…)) little-endian mod ℓ.  Hb: SHA-256(enc(…)).
export function Hs(tag, ...parts) { return leToBig(sha512(enc(tag, ...parts))) % ELL; }
export function Hb(tag, ...parts) { return sha256(enc(tag, ...parts)); }

export function scalarBytes(s) {
  const b = new Uint8Array(32);
  let x = s;
  for (let i = 0; i < 32; i++) { b[i] = Number(x & 255n); x >>= 8n; }
  return b;
}
export function scalarHex(s) { return toHex(scalarBytes(s)); }

export function parseScalar(h) {
  const b = fromHex(h);
  if (b.length !== 32) throw new Error('scalar: want 32 bytes');
  const s = leToBig(b);
  if (s >= ELL) throw new Error('scalar not below the group order');
  return s;
}

export function pointHex(p) { return toHex(p.toBytes()); }

export function parsePoint(h) {
  const b = fromHex(h);
  if (b.length !== 32) throw new Error('point: want 32 bytes');
  return Point.fromBytes(b); // rejects non-canonical encodings
}

const mod = (x) => ((x % ELL) + ELL) % ELL;

// mul is s·p in constant time, allowing s = 0 (noble's multiply refuses 0).
function mul(p, s) { return s === 0n ? ZERO : p.multiply(s); }

// --- randomness ---
// A random scalar is 64 bytes from rng, read little-endian, mod ℓ (as the Go code).
export function cryptoRng(n) {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

export function randomScalar(rng) { return leToBig(rng(64)) % ELL; }

// testRng is the deterministic stream of the test vectors (never for real ballots):
// block i = SHA-512(seed ‖ u64be(i)).
export function testRng(seed) {
  const s = utf8(seed);
  let i = 0n;
  let buf = new Uint8Array(0);
  return (n) => {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      if (buf.length === 0) { buf = sha512(concat([s, u64(i)])); i++; }
      const c = Math.min(buf.length, n - o);
      out.set(buf.subarray(0, c), o);
      buf = buf.subarray(c);
      o += c;
    }
    return out;
  };
}

// --- manifest (§2): JCS for its subset (strings, booleans, integers, arrays, objects) ---
export function canonicalize(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error('manifest: only integers below 2^53');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(canonicalize).join(',') + ']';
  // JS string comparison is by UTF-16 code units, as RFC 8785 sorts keys.
  const keys = Object.keys(v).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalize(v[k])).join(',') + '}';
}

export function manifestHash(manifest) { return toHex(sha256(utf8(canonicalize(manifest)))); }

// --- proofs ---
// Keygen Schnorr proof (§3) with nonce w.
export function proveKeygen(mhHex, i, j, a, w) {
  const C = mul(G, a);
  const h = mul(G, w);
  const c = Hs('dais/keygen', fromHex(mhHex), u64(i), u64(j), C.toBytes(), h.toBytes());
  return { C: pointHex(C), proof: { c: scalarHex(c), u: scalarHex(mod(w + c * a)) } };
}

// Decryption share and its proof (§5) with secret s and nonce w.
export function proveShare(qHex, m, j, s, A, w) {
  const M = mul(A, s);
  const a = mul(G, w);
  const b = mul(A, w);
  const c = Hs('dais/share', fromHex(qHex), u64(m), u64(j), A.toBytes(), M.toBytes(), a.toBytes(), b.toBytes());
  return { M: pointHex(M), proof: { c: scalarHex(c), u: scalarHex(mod(w - c * s)) } };
}

// Range proof (§4) that (α, β) = (r·G, r·P + v·G) with v in 0…L. Draws, for k = 0…L in
// order: w when k = v, else c_k then u_k. Knowing r, the prover computes every
// commitment with fixed-base multiplications on G and P only (cached tables):
// a_k = u_k·G + c_k·α = (u_k + c_k·r)·G and b_k = u_k·P + c_k·(β − k·G) =
// (u_k + c_k·r)·P + c_k·(v − k)·G — the same points the verifier recomputes. Every
// branch costs the same, so the time taken does not tell which k is true.
function proveRange(rng, P, Q, ctx, L, alpha, beta, r, v) {
  const cs = new Array(L + 1);
  const us = new Array(L + 1);
  const commits = [];
  let w = 0n;
  for (let k = 0; k <= L; k++) {
    let a;
    let b;
    if (k === v) {
      w = randomScalar(rng);
      a = mul(G, w);
      b = mul(P, w);
    } else {
      const c = randomScalar(rng);
      const u = randomScalar(rng);
      cs[k] = c;
      us[k] = u;
      const s = mod(u + c * r);
      a = mul(G, s);
      b = mul(P, s).add(mul(G, mod(c * BigInt(v - k))));
    }
    commits.push(a.toBytes(), b.toBytes());
  }
  const c = Hs('dais/range', Q, utf8(ctx), u64(L), alpha.toBytes(), beta.toBytes(), ...commits);
  let cv = c;
  for (let k = 0; k <= L; k++) if (k !== v) cv -= cs[k];
  cv = mod(cv);
  cs[v] = cv;
  us[v] = mod(w - cv * r);
  return { c: cs.map(scalarHex), u: us.map(scalarHex) };
}

// verifyRange checks a range proof (used by tests and by a voter's audit page).
export function verifyRange(P, Q, ctx, L, alpha, beta, proof) {
  if (proof.c.length !== L + 1 || proof.u.length !== L + 1) return false;
  const commits = [];
  let sum = 0n;
  let d = beta;
  for (let k = 0; k <= L; k++) {
    const c = parseScalar(proof.c[k]);
    const u = parseScalar(proof.u[k]);
    commits.push(G.multiplyUnsafe(u).add(alpha.multiplyUnsafe(c)).toBytes());
    commits.push(P.multiplyUnsafe(u).add(d.multiplyUnsafe(c)).toBytes());
    sum += c;
    d = d.subtract(G);
  }
  return Hs('dais/range', Q, utf8(ctx), u64(L), alpha.toBytes(), beta.toBytes(), ...commits) === mod(sum);
}

// --- ballots (§4) ---
// The joint key, parsed once per page with its multiplication table cached (about as
// costly as ten multiplications; each later one is then as fast as one by G).
const keys = new Map();
function jointKeyPoint(hex) {
  let P = keys.get(hex);
  if (!P) {
    P = parsePoint(hex);
    P.precompute(8, false);
    keys.set(hex, P);
  }
  return P;
}
// encrypt returns the ballot as the record holds it (without its tracking code), the
// opening (each option's r and v, kept on the device for an audit) and the fingerprint.
// votes[j] is true when candidate j is kept; at most K. jointKey and baseHash are hex.
// Randomness order, as the Go code: per option r_j then its proof's draws; then the sum
// proof's draws.
export function encrypt({ jointKey, baseHash, maxSelections, votes, rng = cryptoRng }) {
  const P = jointKeyPoint(jointKey);
  const Q = fromHex(baseHash);
  const K = maxSelections;
  const n = votes.length;
  const chosen = votes.filter(Boolean).length;
  if (n === 0 || K < 1 || K > n) throw new Error('ballot: bad number of options or K');
  if (chosen > K) throw new Error(`ballot: ${chosen} choices, at most ${K}`);
  const selections = [];
  const rs = [];
  const vs = [];
  let rSum = 0n;
  let aSum = ZERO;
  let bSum = ZERO;
  for (let j = 0; j < n; j++) {
    const r = randomScalar(rng);
    const v = votes[j] ? 1 : 0;
    const alpha = mul(G, r);
    const beta = v ? mul(P, r).add(G) : mul(P, r);
    const proof = proveRange(rng, P, Q, 'option:' + j, 1, alpha, beta, r, v);
    selections.push({ alpha: pointHex(alpha), beta: pointHex(beta), proof });
    rs.push(r);
    vs.push(v);
    rSum = mod(rSum + r);
    aSum = aSum.add(alpha);
    bSum = bSum.add(beta);
  }
  const sumProof = proveRange(rng, P, Q, 'sum', K, aSum, bSum, rSum, chosen);
  const ballot = { selections, sum_proof: sumProof };
  return { ballot, opening: { r: rs.map(scalarHex), v: vs }, fingerprint: fingerprint(baseHash, ballot) };
}

function selectionBytes(ballot) {
  const out = [];
  for (const s of ballot.selections) out.push(fromHex(s.alpha), fromHex(s.beta));
  return out;
}

// fingerprint = Hb("dais/fingerprint", Q, α_0, β_0, …), shown before cast or audit.
export function fingerprint(baseHash, ballot) {
  return toHex(Hb('dais/fingerprint', fromHex(baseHash), ...selectionBytes(ballot)));
}

// chainStart = Hb("dais/chain", Q); trackingCode chains one cast ballot onto prev.
export function chainStart(baseHash) { return toHex(Hb('dais/chain', fromHex(baseHash))); }
export function trackingCode(prevHex, ballot) {
  return toHex(Hb('dais/ballot', fromHex(prevHex), ...selectionBytes(ballot)));
}

// displayCode: the first 10 bytes in base32 (RFC 4648, no padding), groups of 4.
export function displayCode(codeHex) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const b = fromHex(codeHex).subarray(0, 10);
  let bits = 0;
  let val = 0;
  let s = '';
  for (const x of b) {
    val = (val << 8) | x;
    bits += 8;
    while (bits >= 5) { s += A[(val >>> (bits - 5)) & 31]; bits -= 5; }
    val &= 0xff;
  }
  return s.match(/.{4}/g).join('-');
}

// spoil reveals an audited ballot as the record's "spoiled" entry (§4): never cast it
// afterwards; encrypt again with fresh randomness.
export function spoil(baseHash, ballot, opening) {
  return {
    fingerprint: fingerprint(baseHash, ballot),
    selections: ballot.selections.map((s, j) => ({ alpha: s.alpha, beta: s.beta, r: opening.r[j], v: opening.v[j] })),
  };
}

// checkSpoiled lets a second device check an audit: every option opens to its v.
export function checkSpoiled(jointKey, sp) {
  const P = parsePoint(jointKey);
  return sp.selections.every((s) => {
    const r = parseScalar(s.r);
    const alpha = mul(G, r);
    const beta = s.v ? mul(P, r).add(G) : mul(P, r);
    return (s.v === 0 || s.v === 1) && pointHex(alpha) === s.alpha && pointHex(beta) === s.beta;
  });
}

export const hashes = { sha256, sha512 };
export { Point };
