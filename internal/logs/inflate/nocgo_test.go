//go:build isal && !cgo

package inflate

import "testing"

// TestISALNeedsCgo: -tags isal without cgo would silently test klauspost twice.
func TestISALNeedsCgo(t *testing.T) {
	t.Fatal("built with -tags isal but without cgo (CGO_ENABLED=0 or no C compiler): the ISA-L inflater is not compiled in")
}
