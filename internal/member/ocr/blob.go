package ocr

import "dais/internal/store"

// Scans are kept as sealed, content-addressed blobs (store.Blobs): a scan of a member
// form shows ID numbers and home addresses.

func (s *Service) blobPath(sum string) string          { return s.blobStore.Path(sum) }
func (s *Service) putBlob(data []byte) (string, error) { return s.blobStore.Put(data) }
func (s *Service) getBlob(sum string) ([]byte, error)  { return s.blobStore.Get(sum) }
func sha256Hex(data []byte) string                     { return store.SHA256Hex(data) }
