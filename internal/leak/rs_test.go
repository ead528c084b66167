package leak

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestReedSolomonCorrects(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		msg := make([]byte, 5)
		for i := range msg {
			msg[i] = byte(rng.IntN(256))
		}
		word := rsEncode(msg, 11)
		if !bytes.Equal(word[:5], msg) {
			t.Fatalf("systematic encoding lost the message")
		}
		nerr := trial % 6 // 0…5: all correctable
		bad := append([]byte(nil), word...)
		for _, p := range rng.Perm(16)[:nerr] {
			bad[p] ^= byte(1 + rng.IntN(255))
		}
		got, corrected, ok := rsDecode(bad, 11)
		if !ok || !bytes.Equal(got, msg) || corrected != nerr {
			t.Fatalf("trial %d, %d errors: got %x (ok %v, corrected %d), want %x", trial, nerr, got, ok, corrected, msg)
		}
	}
}

func TestReedSolomonRefusesNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	wrong := 0
	for range 20000 {
		word := make([]byte, 16)
		for i := range word {
			word[i] = byte(rng.IntN(256))
		}
		if _, _, ok := rsDecode(word, 11); ok {
			wrong++
		}
	}
	// About 1.5·10^-11 per random word: none expected in 20,000.
	if wrong > 0 {
		t.Fatalf("%d random words decoded", wrong)
	}
	// Too many errors: refused or (rarely, never here) miscorrected, never a panic.
	msg := []byte{1, 2, 3, 4, 5}
	word := rsEncode(msg, 11)
	for p := range 8 {
		word[p] ^= 0x5a
	}
	if got, _, ok := rsDecode(word, 11); ok && bytes.Equal(got, msg) {
		t.Fatalf("8 errors cannot be corrected, yet decoded %x", got)
	}
}

func FuzzReedSolomon(f *testing.F) {
	f.Add([]byte("0123456789abcdef"))
	f.Fuzz(func(t *testing.T, word []byte) {
		if len(word) != 16 {
			return
		}
		data, _, ok := rsDecode(word, 11)
		if ok && !bytes.Equal(rsEncode(data, 11)[:5], data) {
			t.Fatalf("decoded data does not re-encode")
		}
	})
}
