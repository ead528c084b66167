package leak

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
)

// The fingerprint tile: 16×16 cells. 128 cells hold a fixed pseudo-random
// synchronisation pattern (the decoder finds the tile's origin and orientation by
// correlating with it); the other 128 hold the 128 bits of the Reed–Solomon codeword of
// the copy ID, whitened by a fixed sequence so that every ID darkens about half its cells.
// Sync and data cells are interleaved at random positions so that no shift or quarter
// turn of the tile looks like another.
const (
	TileCells = 16
	cellCount = TileCells * TileCells
	syncCount = 128
	dataCount = cellCount - syncCount // 128 = 16 bytes: 5 data + 11 parity
	rsData    = 5
	rsParity  = 11
)

// DefaultStrength is how much a dark cell darkens white paper, out of 255 (alpha of the
// black cell). With half the cells dark, the page's mean luminance drops by
// DefaultStrength/2/255 ≈ 1 % — measured figures in docs/leak-tracing.md.
const DefaultStrength = 5

// layout fixes, for ever, which cells are sync and which data, the sync chips and the
// whitening bits. Changing the seed would make every copy issued before unreadable.
var layout = func() (l struct {
	dataCell  [dataCount]int  // chip k of the codeword goes to cell dataCell[k]
	syncCell  [syncCount]int  // sync chip k goes to cell syncCell[k]
	syncChip  [syncCount]int8 // ±1, +1 = dark
	whiten    [dataCount]byte // 0/1 XORed into the codeword bits
	isSync    [cellCount]bool
	syncValue [cellCount]int8 // +1/-1 at sync cells, 0 at data cells
}) {
	rng := rand.New(rand.NewPCG(0x6461697365, 0x6c65616b)) // "daise", "leak"
	perm := rng.Perm(cellCount)
	copy(l.dataCell[:], perm[:dataCount])
	copy(l.syncCell[:], perm[dataCount:])
	// Exactly half the sync chips dark, in random order.
	chips := rng.Perm(syncCount)
	for k, c := range l.syncCell {
		v := int8(-1)
		if chips[k] < syncCount/2 {
			v = 1
		}
		l.syncChip[k] = v
		l.isSync[c] = true
		l.syncValue[c] = v
	}
	for k := range l.whiten {
		l.whiten[k] = byte(rng.IntN(2))
	}
	return l
}()

// codeword is the 16-byte Reed–Solomon codeword of a copy ID.
func codeword(id uint64) []byte {
	msg := make([]byte, rsData)
	for i := range rsData {
		msg[i] = byte(id >> (8 * (rsData - 1 - i)))
	}
	return rsEncode(msg, rsParity)
}

// Chips returns the tile of a copy ID, row by row: +1 for a dark cell, -1 for a light one.
func Chips(id uint64) [cellCount]int8 {
	var out [cellCount]int8
	out = layout.syncValue
	word := codeword(id & MaxID)
	for k, c := range layout.dataCell {
		bit := (word[k/8]>>(7-k%8))&1 ^ layout.whiten[k]
		out[c] = int8(2*int(bit) - 1)
	}
	return out
}

// Pattern is the tile of a copy ID at one pixel per cell: black where a cell is dark,
// white where it is light (for looking at; draw marks with Tile).
func Pattern(id uint64) image.Image {
	img := image.NewGray(image.Rect(0, 0, TileCells, TileCells))
	for i, c := range Chips(id) {
		if c < 0 {
			img.Pix[i] = 255
		}
	}
	return img
}

// Tile is the fingerprint tile of a copy ID to lay over a page, repeated without gaps:
// cellPx pixels per cell, dark cells black with alpha strength/255, light cells
// transparent. Over white paper a dark cell shows as 255-strength.
func Tile(id uint64, cellPx, strength int) *image.NRGBA {
	cellPx = max(1, cellPx)
	strength = min(max(strength, 1), 255)
	side := TileCells * cellPx
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	chips := Chips(id)
	for y := range side {
		for x := range side {
			if chips[(y/cellPx)*TileCells+x/cellPx] > 0 {
				img.SetNRGBA(x, y, color.NRGBA{A: uint8(strength)})
			}
		}
	}
	return img
}

// TilePNG is Tile encoded as PNG: a few hundred bytes, for a CSS or SVG background, an
// EPUB resource or a PDF image.
func TilePNG(id uint64, cellPx, strength int) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, Tile(id, cellPx, strength)); err != nil {
		panic(err) // encoding an in-memory NRGBA to a buffer cannot fail
	}
	return b.Bytes()
}
