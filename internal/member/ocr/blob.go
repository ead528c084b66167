package ocr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"dais/internal/store"
)

// Scans are kept content-addressed: the file is named by the SHA-256 of the scan as
// uploaded, under a two-character fan-out directory (blobs/ab/ab12….sealed). A scan of a
// member form shows ID numbers and home addresses, which DESIGN.md §4 wants encrypted at
// rest, so the file holds the scan sealed with the store's key (AES-256-GCM, bound to its
// hash); the ".sealed" suffix keeps it apart from any plain blob of the same content.

func blobAAD(sum string) string { return "blobs:" + sum }

func (s *Service) blobPath(sum string) string {
	return filepath.Join(s.blobs, sum[:2], sum+".sealed")
}

// sha256Hex is the content address of data.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// putBlob writes data sealed under its address, unless it is there already, and returns
// the address. The file is written before the transaction that records it (a transaction
// may run more than once and must not write files): a crash in between leaves an
// unrecorded file, which is harmless and reused by the next upload of the same scan.
func (s *Service) putBlob(data []byte) (string, error) {
	sum := sha256Hex(data)
	path := s.blobPath(sum)
	if _, err := os.Stat(path); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("store scan: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+sum[:8]+"-*")
	if err != nil {
		return "", fmt.Errorf("store scan: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if _, err := tmp.Write(s.db.Keys.Seal(data, blobAAD(sum))); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store scan: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store scan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("store scan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("store scan: %w", err)
	}
	return sum, nil
}

// recordBlob adds the blobs row for a stored file (once: the same scan may be uploaded
// twice).
func recordBlob(ctx context.Context, tx *store.Tx, sum, mediaType string, size int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, media_type, size, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sum, mediaType, size, store.Now()); err != nil {
		return fmt.Errorf("record blob: %w", err)
	}
	return nil
}

// getBlob reads and opens a stored scan, checking it against its address.
func (s *Service) getBlob(sum string) ([]byte, error) {
	if len(sum) != 64 {
		return nil, store.NotFound("scan")
	}
	sealed, err := os.ReadFile(s.blobPath(sum))
	if err != nil {
		return nil, fmt.Errorf("read scan %s: %w", sum, err)
	}
	data, err := s.db.Keys.Open(sealed, blobAAD(sum))
	if err != nil {
		return nil, err
	}
	if sha256Hex(data) != sum {
		return nil, store.Errorf(store.EINTERNAL, "scan %s does not match its hash", sum)
	}
	return data, nil
}
