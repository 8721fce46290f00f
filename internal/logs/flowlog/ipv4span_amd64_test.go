package flowlog

import "testing"

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
