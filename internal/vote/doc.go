package vote

// Secrecy of the ballot: what the store keeps, and what it does not protect against.
//
// What is stored:
//   - poll_voters (poll, user, delegate number, voted_at, idempotency key): who may vote
//     and who did. The chair sees who has not voted in open (named) polls only.
//   - poll_ballots (poll, random ID, choices, valid): what was voted. Secret polls have no
//     voter column value; no ballot has a timestamp; the ID is 128 bits from crypto/rand,
//     not a time-ordered ID, so neither the ID nor the key order says when it was cast.
//   - The audit entry of a vote (poll.vote) names the voter and the poll, with the digest
//     of the constant {"voted": true}: every vote has the same digest.
//   - Live events of type "turnout" carry only counts. Ballot choices travel only in
//     request bodies, never in URLs, so the access log (paths) never holds one; nothing
//     in this package logs a ballot.
//   - The receipt a voter gets is an HMAC of (poll, voter, idempotency key) under the
//     server's key: a retried request gets the same code, and the code reveals nothing
//     of the ballot and links to no ballot row.
//
// Insertion order: the ballot table is WITHOUT ROWID on SQLite, a B-tree ordered by the
// random key, so a scan and the primary key return ballots in an order unrelated to the
// voters'. PostgreSQL stores rows on its heap in insertion order (ctid) and stamps each
// with the inserting transaction (xmin), which is also the eligibility mark's: closing a
// poll deletes its ballots and inserts them again in a random order with fresh IDs in one
// transaction, which gives every ballot the same xmin and a shuffled physical place.
// TestSecrecy checks both orders on both databases.
//
// Limits, stated plainly: while a poll is open, a database superuser reading PostgreSQL's
// ctid/xmin, either database's write-ahead log (SQLite's WAL holds page images in commit
// order until a checkpoint; PostgreSQL's WAL until it is recycled) or a disk snapshot
// taken between two ballots can link the eligibility marks' voted_at to ballot rows. The
// server process itself sees each ballot with its voter while it handles the request.
// Against an operator with that access the answer is the verifiable mode (ELECTION.md):
// ballots are encrypted on the delegate's device, and the server never sees a choice.
