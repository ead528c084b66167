package member

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestPhoto(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		s := NewService(db)
		s.SetBlobs(store.NewBlobs(t.TempDir(), db.Keys))
		paths := tree(t, db)
		a := officer(store.RoleOrgOfficer, paths["P.A"])
		m, err := s.Create(ctx, a, rec("P.A", "30000001", "Đinh Thị Mai"), "test")
		if err != nil {
			t.Fatal(err)
		}
		img := image.NewRGBA(image.Rect(0, 0, 60, 80))
		for x := range 60 {
			img.Set(x, x, color.RGBA{200, 10, 10, 255})
		}
		var buf bytes.Buffer
		png.Encode(&buf, img)
		for _, bad := range [][]byte{nil, []byte("GIF89a not a photo"), append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)} {
			if _, err := s.SetPhoto(ctx, a, m.ID, bad, 1); store.ErrorCode(err) != store.EINVALID {
				t.Errorf("bad photo %q: %v", bad[:min(len(bad), 8)], err)
			}
		}
		if _, err := s.SetPhoto(ctx, officer(store.RoleChair, paths["P.A"]), m.ID, buf.Bytes(), 1); store.ErrorCode(err) != store.EFORBIDDEN {
			t.Fatalf("chair set a photo: %v", err)
		}
		got, err := s.SetPhoto(ctx, a, m.ID, buf.Bytes(), 1)
		if err != nil || got.PhotoSHA256 == "" || got.Version != 2 {
			t.Fatalf("set photo: %+v %v", got, err)
		}
		data, err := s.Photo(ctx, officer(store.RoleChair, paths["P.A"]), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(data)); err != nil || format != "jpeg" || cfg.Width != 60 {
			t.Fatalf("stored photo: %v %s %v", cfg, format, err)
		}
		if _, err := s.Photo(ctx, officer(store.RoleOrgOfficer, paths["P.B"]), m.ID); store.ErrorCode(err) != store.ENOTFOUND {
			t.Fatalf("another commune read the photo: %v", err)
		}
	})
}
