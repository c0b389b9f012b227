package dcl

import "hash/maphash"

// keyFilter is a scalable Bloom filter of the record keys a view may
// hold. It answers "certainly absent" or "maybe present", so a batch of
// records that are all new skips the merge's delete step, the common case
// of initial loads and rebuilds. Keys are only added (a deleted record
// stays "maybe present", which costs a delete that finds nothing, never a
// wrong answer). Not safe for concurrent use; the engine's writer lock
// guards it.
type keyFilter struct {
	seed   maphash.Seed
	layers []*bloomLayer
}

// bloomLayer is one fixed-size Bloom filter of the scalable filter; each
// new layer doubles the capacity of the previous one.
type bloomLayer struct {
	bits     []uint64
	mask     uint64
	capacity int
	n        int
}

const (
	bloomHashes       = 7     // about 1% false positives at 10 bits per key
	bloomFirstKeys    = 65536 // capacity of the first layer
	bloomBitsPerEntry = 10
)

func newKeyFilter() *keyFilter {
	return &keyFilter{seed: maphash.MakeSeed()}
}

func newBloomLayer(capacity int) *bloomLayer {
	nbits := uint64(1)
	for nbits < uint64(capacity*bloomBitsPerEntry) {
		nbits <<= 1
	}
	return &bloomLayer{bits: make([]uint64, (nbits+63)/64), mask: nbits - 1, capacity: capacity}
}

func (f *keyFilter) hash(k memberKey) (uint64, uint64) {
	var h maphash.Hash
	h.SetSeed(f.seed)
	h.WriteString(k.conn)
	h.WriteByte(0)
	h.WriteString(k.rec)
	a := h.Sum64()
	b := a>>33 | a<<31 | 1
	return a, b
}

// add records k.
func (f *keyFilter) add(k memberKey) {
	if len(f.layers) == 0 || f.layers[len(f.layers)-1].n >= f.layers[len(f.layers)-1].capacity {
		c := bloomFirstKeys
		if len(f.layers) > 0 {
			c = f.layers[len(f.layers)-1].capacity * 2
		}
		f.layers = append(f.layers, newBloomLayer(c))
	}
	l := f.layers[len(f.layers)-1]
	a, b := f.hash(k)
	for i := uint64(0); i < bloomHashes; i++ {
		p := (a + i*b) & l.mask
		l.bits[p>>6] |= 1 << (p & 63)
	}
	l.n++
}

// mayContain reports whether k may have been added; false is certain.
func (f *keyFilter) mayContain(k memberKey) bool {
	if len(f.layers) == 0 {
		return false
	}
	a, b := f.hash(k)
	for _, l := range f.layers {
		hit := true
		for i := uint64(0); i < bloomHashes; i++ {
			p := (a + i*b) & l.mask
			if l.bits[p>>6]&(1<<(p&63)) == 0 {
				hit = false
				break
			}
		}
		if hit {
			return true
		}
	}
	return false
}
