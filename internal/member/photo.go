package member

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	_ "image/png" // decode PNG uploads
	"net/http"

	"dais/internal/store"
)

// Photo limits: a record photo is a portrait, not a poster.
const (
	MaxPhotoBytes  = 5 << 20
	maxPhotoPixels = 6000
)

// SetBlobs gives the service its blob store (photos); cmd/dais wires it.
func (s *Service) SetBlobs(b *store.Blobs) { s.blobs = b }

// SetPhoto stores a member's photo (JPEG or PNG, sniffed from the bytes) as a new version
// of the record. The image is decoded and re-encoded as JPEG, which drops whatever the
// file carried besides pixels (EXIF location, camera data, polyglot payloads).
func (s *Service) SetPhoto(ctx context.Context, p *store.Principal, id string, data []byte, version int) (Member, error) {
	if s.blobs == nil {
		return Member{}, store.Errorf(store.EINTERNAL, "no blob store")
	}
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return Member{}, err
	}
	if !p.Can(store.PermMemberWrite, m.unitPath) {
		return Member{}, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to edit this member"}
	}
	if len(data) == 0 || len(data) > MaxPhotoBytes {
		return Member{}, store.Invalid("photo", "mem.photo_size", "a photo of at most %d MB is required", MaxPhotoBytes>>20)
	}
	if ct := http.DetectContentType(data); ct != "image/jpeg" && ct != "image/png" {
		return Member{}, store.Invalid("photo", "mem.photo_type", "the photo must be a JPEG or PNG image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width < 32 || cfg.Height < 32 || cfg.Width > maxPhotoPixels || cfg.Height > maxPhotoPixels {
		return Member{}, store.Invalid("photo", "mem.photo_type", "the photo must be a JPEG or PNG image between 32 and %d pixels a side", maxPhotoPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Member{}, store.Invalid("photo", "mem.photo_type", "the photo could not be read")
	}
	var clean bytes.Buffer
	if err := jpeg.Encode(&clean, img, &jpeg.Options{Quality: 85}); err != nil {
		return Member{}, err
	}
	sum, err := s.blobs.Put(clean.Bytes())
	if err != nil {
		return Member{}, err
	}
	if err := s.reveal(&m); err != nil {
		return Member{}, err
	}
	m.PhotoSHA256 = sum
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.blobs.Record(ctx, tx, sum, "image/jpeg", clean.Len()); err != nil {
			return err
		}
		if err := updateTx(ctx, tx, &m, version, "photo"); err != nil {
			return err
		}
		return tx.Audit(ctx, "member.photo", "member", m.ID, m.snapshot())
	})
	return m, err
}

// Photo returns a visible member's photo (JPEG), or ENOTFOUND.
func (s *Service) Photo(ctx context.Context, p *store.Principal, id string) ([]byte, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if m.PhotoSHA256 == "" || s.blobs == nil {
		return nil, store.NotFound("photo")
	}
	return s.blobs.Get(m.PhotoSHA256)
}
