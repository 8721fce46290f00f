package flowlog

import (
	"testing"
	"unsafe"
)

// TestParseMaskedIPv4Go runs the masked-path tests with the portable address blocks of parseV5Masked (what
// other processors take) where the vector ones are installed.
func TestParseMaskedIPv4Go(t *testing.T) {
	if !ipv4Vec {
		t.Skip("the portable blocks are the ones in use: the other tests cover them")
	}
	ipv4Vec = false
	defer func() { ipv4Vec = true }()
	t.Run("edits", TestParseMaskedEdits)
	t.Run("reads", TestParseMaskedReads)
}

// TestIPv4Table: ipv4Tab holds the 81 layouts, each where ipv4SpanVec looks for it, and ipv4Entry has the
// layout the assembly reads (shuf at 0, key at 16, lead at 18, 32 bytes).
func TestIPv4Table(t *testing.T) {
	var e ipv4Entry
	if unsafe.Offsetof(e.key) != 16 || unsafe.Offsetof(e.lead) != 18 || unsafe.Sizeof(e) != 32 {
		t.Fatalf("ipv4Entry: key at %d, lead at %d, size %d", unsafe.Offsetof(e.key), unsafe.Offsetof(e.lead), unsafe.Sizeof(e))
	}
	n := 0
	for h, e := range ipv4Tab {
		if e.key == 0 {
			continue
		}
		n++
		if got := int(uint32(e.key) * ipv4Hash >> 24); got != h {
			t.Errorf("row %d holds key %#x, which hashes to %d", h, e.key, got)
		}
	}
	if n != 81 {
		t.Errorf("%d layouts, want 81", n)
	}
}
