package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// Blobs keeps files content-addressed: each is named by the SHA-256 of its content, under
// a two-character fan-out directory (blobs/ab/ab12….sealed). Every blob Dais keeps is a
// person's data (scans of member forms, photos), so the file holds it sealed with the
// store's key (AES-256-GCM, bound to its hash), as DESIGN.md §4 asks. An object store can
// replace the directory behind these three methods.
type Blobs struct {
	dir  string
	keys *Keys
}

// NewBlobs keeps blobs under dir.
func NewBlobs(dir string, keys *Keys) *Blobs { return &Blobs{dir: dir, keys: keys} }

func blobAAD(sum string) string { return "blobs:" + sum }

// Path is where the sealed blob with this address lives.
func (b *Blobs) Path(sum string) string { return filepath.Join(b.dir, sum[:2], sum+".sealed") }

// SHA256Hex is the content address of data.
func SHA256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Put writes data sealed under its address, unless it is there already, and returns the
// address. Write the file before the transaction that records it (a transaction may run
// more than once and must not write files): a crash in between leaves an unrecorded file,
// which is harmless and reused by the next upload of the same content.
func (b *Blobs) Put(data []byte) (string, error) {
	sum := SHA256Hex(data)
	path := b.Path(sum)
	if _, err := os.Stat(path); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+sum[:8]+"-*")
	if err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if _, err := tmp.Write(b.keys.Seal(data, blobAAD(sum))); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store blob: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	return sum, nil
}

// Record adds the blobs row for a stored file (once: the same content may come twice).
func (b *Blobs) Record(ctx context.Context, tx *Tx, sum, mediaType string, size int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, media_type, size, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sum, mediaType, size, Now()); err != nil {
		return fmt.Errorf("record blob: %w", err)
	}
	return nil
}

// Get reads and opens a stored blob, checking it against its address.
func (b *Blobs) Get(sum string) ([]byte, error) {
	if len(sum) != 64 {
		return nil, NotFound("file")
	}
	sealed, err := os.ReadFile(b.Path(sum))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", sum, err)
	}
	data, err := b.keys.Open(sealed, blobAAD(sum))
	if err != nil {
		return nil, err
	}
	if SHA256Hex(data) != sum {
		return nil, Errorf(EINTERNAL, "blob %s does not match its hash", sum)
	}
	return data, nil
}
