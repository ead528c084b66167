// node internal/vote/e2e/js/perf.mjs — time encryption with proofs in the browser
// bundle for K of N (real randomness). Prints one JSON line per case.
import { readFileSync } from 'node:fs';
import { DB } from './load.mjs';

const V = JSON.parse(readFileSync(new URL('../testdata/vectors.json', import.meta.url), 'utf8'));
const cases = process.argv.length > 2 ? [process.argv.slice(2).map(Number)] : [[30, 30], [180, 200]];
for (const [K, N] of cases) {
  const votes = Array.from({ length: N }, (_, j) => j < K);
  DB.encrypt({ jointKey: V.ballot.joint_key, baseHash: V.ballot.base_hash, maxSelections: K, votes }); // warm up
  const runs = 3;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    DB.encrypt({ jointKey: V.ballot.joint_key, baseHash: V.ballot.base_hash, maxSelections: K, votes });
  }
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ K, N, encrypt_ms: Math.round((performance.now() - t0) / runs), cpu_ms: Math.round((c.user + c.system) / 1000 / runs), node: process.version }));
}
