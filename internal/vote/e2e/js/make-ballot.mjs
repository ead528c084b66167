// node make-ballot.mjs JOINT_KEY BASE_HASH K VOTES [SEED] — encrypts a ballot with the
// browser bundle and prints {"ballot", "opening", "fingerprint"} as JSON. VOTES is a
// string of 0/1, one per candidate. With SEED, randomness is the test stream.
import { DB } from './load.mjs';

const [P, Q, K, votes, seed] = process.argv.slice(2);
const out = DB.encrypt({
  jointKey: P, baseHash: Q, maxSelections: Number(K),
  votes: [...votes].map((c) => c === '1'),
  rng: seed ? DB.testRng(seed) : DB.cryptoRng,
});
process.stdout.write(JSON.stringify(out) + '\n');
