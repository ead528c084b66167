// Loads the bundled browser file (static/ballot.js) as a browser would: a classic script
// defining the global DaisBallot.
import { readFileSync } from 'node:fs';
import { runInThisContext } from 'node:vm';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../static/ballot.js', import.meta.url));
runInThisContext(readFileSync(file, 'utf8'), { filename: file });
export const DB = globalThis.DaisBallot;
