package flowlog

import (
	"math/bits"
	"unsafe"
)

// The seven number columns of the VPC formats from srcport to end (SrcPort, DstPort, Protocol, Packets, Bytes,
// Start, End: columns 5 to 11) are read by parseV5Masked in one numbersVec call where the processor has one
// (numsVec): from SrcPort's start, the call finds the seven ends in the space mask itself (as the generated
// walk would: the next seven set bits), reads every number at once from the 16 bytes that end at its column's
// end, and hands the walk back after End. numbersVec takes only the usual text: ports and protocol of 1 to 8
// digits, packets and bytes of 1 to 15, times of exactly 10, the seven columns with the spaces between them at
// most 56 bytes (End ending in the 57 bits of the mask that it reads at once); and SrcPort ending at least 16
// bytes into the line. On anything else ("-", an empty column, other lengths, a non-digit) it refuses and
// parseV5Masked reads the columns one by one, as it would without it: what numbersVec accepts, those blocks
// read to the same values.

// numbersGo is numbersVec in Go: the reference for the vector one (numbers_test.go), and the routine where
// there is none. sp is the line's space mask (lineMasks.sp) and s SrcPort's start, just after the bit that
// parseV5Masked's walk took last: at most maskWords×64+7 (in parseV5Masked at most the line's length plus 5,
// as every bit from the line's end on is set). The seven columns' ends are the next seven set bits of sp from
// s (each column ends where the next one starts, less one). On success it returns the walk's state after
// End's end e6 as parseV5Masked keeps it: c, the bits of sp's word at bit base (e6 rounded down to 64) above
// e6; and next = e6+1, the next column's start. It refuses with next = 0 and writes nothing. At p it reads
// only the columns' bytes (numbersVec: the 16 bytes before each end, all in [e0-16, e6), e0 SrcPort's end).
func numbersGo(r *Record, p unsafe.Pointer, sp *[maskWords + 1]uint64, s int) (c uint64, base, next int) {
	var e [7]int
	base = s &^ 63
	c = sp[base>>6] &^ (1<<(s&63) - 1)
	for i := range e {
		for c == 0 {
			base += 64
			c = sp[base>>6]
		}
		e[i] = base + bits.TrailingZeros64(c)
		c &= c - 1
	}
	if e[0] < 16 || e[6]-s > 56 {
		return 0, 0, 0
	}
	var v [7]int64
	for i, end := range e {
		k := end - s
		switch {
		case i < 3 && uint(k-1) < 8, i >= 3 && i < 5 && uint(k-1) < 15, i >= 5 && k == 10:
		default:
			return 0, 0, 0
		}
		for j := s; j < end; j++ {
			d := *(*byte)(unsafe.Add(p, j)) - '0'
			if d > 9 {
				return 0, 0, 0
			}
			v[i] = v[i]*10 + int64(d)
		}
		s = end + 1
	}
	r.SrcPort, r.DstPort, r.Protocol = int32(v[0]), int32(v[1]), int32(v[2])
	r.Packets, r.Bytes, r.Start, r.End = v[3], v[4], v[5], v[6]
	return c, base, e[6] + 1
}
