package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Keys holds the keys derived from the one master key in the key file (DAIS_KEY_FILE, or
// dais.key in the data dir): AES-256-GCM for sensitive fields at rest, an HMAC key for
// blind indexes over encrypted fields, and the Ed25519 key that signs audit checkpoints.
type Keys struct {
	aead    cipher.AEAD
	blind   []byte
	signing ed25519.PrivateKey
}

// LoadKeys reads the key file (64 hex characters). When create is true and the file does
// not exist, a new random key is written with mode 0600.
func LoadKeys(path string, create bool) (*Keys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		master := make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, fmt.Errorf("generate master key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("key dir: %w", err)
		}
		// O_EXCL: two processes starting at once must not each write a different key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, err = f.WriteString(hex.EncodeToString(master) + "\n")
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, fmt.Errorf("write key file %s: %w", path, err)
			}
		} else if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create key file %s: %w", path, err)
		}
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("read key file: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	master, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(master) != 32 {
		return nil, Errorf(EINVALID, "key file %s must hold 64 hexadecimal characters (a 32-byte key)", path)
	}
	return DeriveKeys(master)
}

// DeriveKeys derives every working key from a 32-byte master key with HKDF-SHA256.
func DeriveKeys(master []byte) (*Keys, error) {
	derive := func(info string, n int) ([]byte, error) {
		return hkdf.Key(sha256.New, master, nil, "dais "+info+" v1", n)
	}
	aesKey, err := derive("aes-256-gcm", 32)
	if err != nil {
		return nil, fmt.Errorf("derive aes key: %w", err)
	}
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	blind, err := derive("blind-index hmac", 32)
	if err != nil {
		return nil, fmt.Errorf("derive blind key: %w", err)
	}
	seed, err := derive("audit ed25519", ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("derive signing key: %w", err)
	}
	return &Keys{aead: aead, blind: blind, signing: ed25519.NewKeyFromSeed(seed)}, nil
}

// Seal encrypts plaintext with AES-256-GCM. aad binds the ciphertext to its place (for
// example "users.totp_secret:"+userID) so it cannot be copied to another row.
// The result is nonce ‖ ciphertext ‖ tag.
func (k *Keys) Seal(plaintext []byte, aad string) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return k.aead.Seal(nonce, nonce, plaintext, []byte(aad))
}

// Open decrypts what Seal produced with the same aad.
func (k *Keys) Open(sealed []byte, aad string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, Errorf(EINTERNAL, "sealed value too short")
	}
	pt, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", aad, err)
	}
	return pt, nil
}

// Blind returns a keyed hash of s for equality search over an encrypted field.
func (k *Keys) Blind(domain, s string) []byte {
	m := hmac.New(sha256.New, k.blind)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(s))
	return m.Sum(nil)
}

// AuditMAC authenticates an audit entry hash: without the key file nobody can forge an
// entry that passes `dais audit verify`, even by recomputing the whole chain.
func (k *Keys) AuditMAC(entryHash string) string {
	return hex.EncodeToString(k.Blind("audit-entry", entryHash))
}

// Sign signs msg with the audit signing key.
func (k *Keys) Sign(msg []byte) []byte { return ed25519.Sign(k.signing, msg) }

// PublicKey is the audit signing key's public half.
func (k *Keys) PublicKey() ed25519.PublicKey { return k.signing.Public().(ed25519.PublicKey) }
