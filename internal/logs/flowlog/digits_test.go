package flowlog

import (
	"encoding/binary"
	"testing"
)

// refDigitsOf is digitsOf byte by byte.
func refDigitsOf(b [8]byte, k int) (uint64, bool) {
	v := uint64(0)
	for _, c := range b[:k] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = 10*v + uint64(c-'0')
	}
	return v, true
}

// checkDigitsOf compares digitsOf for k of 1 to 8, and digitsOf4 for k of 1 to 4, with refDigitsOf.
func checkDigitsOf(t testing.TB, b [8]byte) {
	t.Helper()
	x := binary.LittleEndian.Uint64(b[:])
	for k := 1; k <= 8; k++ {
		want, wantOK := refDigitsOf(b, k)
		if v, ok := digitsOf(x, k); ok != wantOK || ok && v != want {
			t.Fatalf("digitsOf(%q, %d) = %d, %v; want %d, %v", b, k, v, ok, want, wantOK)
		}
		if k > 4 {
			continue
		}
		if v, ok := digitsOf4(uint32(x), k); ok != wantOK || ok && uint64(v) != want {
			t.Fatalf("digitsOf4(%q, %d) = %d, %v; want %d, %v", b[:4], k, v, ok, want, wantOK)
		}
	}
}

// TestDigitsOf: every string of 8 bytes over digits and the bytes around them ('/', ':', 0x00, 0x80, 0xAF,
// 0xBA, 0xFF, ' ', '-'), with the non-digits in up to two places, and every 8-digit string's value on a
// stride.
func TestDigitsOf(t *testing.T) {
	odd := []byte{'/', ':', 0, 0x7F, 0x80, 0xAF, 0xB0, 0xB9, 0xBA, 0xFF, ' ', '-', '.'}
	for n := 0; n < 100_000_000; n += 9973 {
		var b [8]byte
		for i, m := 7, n; i >= 0; i, m = i-1, m/10 {
			b[i] = byte('0' + m%10)
		}
		checkDigitsOf(t, b)
		for i := range 8 {
			for _, c := range odd {
				b2 := b
				b2[i] = c
				checkDigitsOf(t, b2)
				for j := i + 1; j < 8; j += 3 {
					b3 := b2
					b3[j] = odd[(j+int(c))%len(odd)]
					checkDigitsOf(t, b3)
				}
			}
		}
	}
}

// FuzzDigitsOf: digitsOf (and digitsOf4 on the first four bytes) agrees with refDigitsOf on any eight bytes,
// for every k.
func FuzzDigitsOf(f *testing.F) {
	f.Add(uint64(0x3837363534333231))
	f.Add(uint64(0x393939393939393a))
	f.Add(uint64(0x2f30303030303030))
	f.Fuzz(func(t *testing.T, x uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], x)
		checkDigitsOf(t, b)
	})
}
