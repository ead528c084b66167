package audit

import "crypto/sha256"

// Merkle computes the RFC 6962 Merkle tree hash of a stream of leaves in O(log n) memory:
// leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right), and for n leaves that
// are not a power of two the left subtree holds the largest power of two below n.
type Merkle struct {
	stack []level // perfect subtrees, sizes strictly decreasing from bottom to top
	n     int64
}

type level struct {
	size int64
	hash [32]byte
}

// Add appends one leaf.
func (m *Merkle) Add(data []byte) {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var l level
	l.size = 1
	h.Sum(l.hash[:0])
	m.stack = append(m.stack, l)
	m.n++
	for len(m.stack) >= 2 {
		a, b := m.stack[len(m.stack)-2], m.stack[len(m.stack)-1]
		if a.size != b.size {
			break
		}
		m.stack = m.stack[:len(m.stack)-2]
		m.stack = append(m.stack, level{size: a.size * 2, hash: node(a.hash, b.hash)})
	}
}

// Size is the number of leaves added.
func (m *Merkle) Size() int64 { return m.n }

// Root returns the tree hash of the leaves added so far (SHA-256 of nothing when empty).
func (m *Merkle) Root() [32]byte {
	if len(m.stack) == 0 {
		return sha256.Sum256(nil)
	}
	root := m.stack[len(m.stack)-1].hash
	for i := len(m.stack) - 2; i >= 0; i-- {
		root = node(m.stack[i].hash, root)
	}
	return root
}

func node(l, r [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[33:], r[:])
	return sha256.Sum256(buf[:])
}
