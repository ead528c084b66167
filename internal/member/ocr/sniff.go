package ocr

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"dais/internal/store"
)

// Media types of the scans we accept.
const (
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypePDF  = "application/pdf"
)

// minSide is the smallest page side, in pixels, worth reading: a form's text is
// unreadable below it.
const minSide = 300

// invalid is an EINVALID error whose translated message takes no arguments (the English
// one, for logs, may say more).
func invalid(field, key, format string, args ...any) *store.Error {
	return &store.Error{Code: store.EINVALID, Key: key, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Sniff returns the media type of an upload from its first bytes (never from its name or
// the browser's Content-Type), or an EINVALID error for anything but PNG, JPEG and PDF.
func Sniff(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, nil
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return TypeJPEG, nil
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return TypePDF, nil
	}
	return "", store.Invalid("scan", "ocr.type_unsupported", "the file is not a PNG, JPEG or PDF")
}

// checkImage reads only the header of a PNG or JPEG and refuses it before any pixel is
// decoded when it is too large (a decompression bomb declares huge dimensions in a few
// bytes) or too small to read.
func checkImage(b []byte, mediaType string, maxPixels int) (image.Config, error) {
	var cfg image.Config
	var err error
	switch mediaType {
	case TypePNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(b))
	case TypeJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(b))
	default:
		return cfg, store.Invalid("scan", "ocr.type_unsupported", "the file is not a PNG, JPEG or PDF")
	}
	if err != nil {
		return cfg, invalid("scan", "ocr.image_corrupt", "the image cannot be read: %v", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return cfg, store.Invalid("scan", "ocr.image_too_big", "the image is %d×%d pixels; at most %d megapixels",
			cfg.Width, cfg.Height, maxPixels/1_000_000)
	}
	if cfg.Width < minSide || cfg.Height < minSide {
		return cfg, store.Invalid("scan", "ocr.image_too_small", "the image is %d×%d pixels; at least %d on each side",
			cfg.Width, cfg.Height, minSide)
	}
	return cfg, nil
}

// decodeImage checks an image's header, then decodes it.
func decodeImage(b []byte, mediaType string, maxPixels int) (image.Image, error) {
	if _, err := checkImage(b, mediaType, maxPixels); err != nil {
		return nil, err
	}
	var img image.Image
	var err error
	if mediaType == TypePNG {
		img, err = png.Decode(bytes.NewReader(b))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(b))
	}
	if err != nil {
		return nil, invalid("scan", "ocr.image_corrupt", "the image cannot be read: %v", err)
	}
	return img, nil
}
