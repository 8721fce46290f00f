package flowlog

import "unsafe"

// The seven number columns of the VPC formats from srcport to end (SrcPort, DstPort, Protocol, Packets,
// Bytes, Start, End: columns 5 to 11) are read by parseV5Masked in one numbersVec call where the processor has
// one (numsVec): the generated code finds the seven ends as for any column, then the call reads every number
// at once from the 16 bytes that end at its column's end. numbersVec takes only the usual text: ports and
// protocol of 1 to 8 digits, packets and bytes of 1 to 15, times of exactly 10; and SrcPort ending at least
// 16 bytes into the line. On anything else ("-", an empty column, other lengths, a non-digit) it returns false
// and parseV5Masked reads the columns one by one, as it would without it: what numbersVec accepts, those
// blocks read to the same values.

// numbersGo is numbersVec in Go: the reference for the vector one (numbers_test.go), and the routine where
// there is none. s is SrcPort's start and e the seven columns' ends (each column ends where the next one starts,
// less one: e[i]+1 is column i+1's start). It reads only the bytes [e[0]-16, e[6]) at p, the 16 bytes before
// each end; on false it writes nothing.
func numbersGo(r *Record, p unsafe.Pointer, s int, e *[7]int) bool {
	if e[0] < 16 {
		return false
	}
	var v [7]int64
	for i, end := range e {
		k := end - s
		switch {
		case i < 3 && uint(k-1) < 8, i >= 3 && i < 5 && uint(k-1) < 15, i >= 5 && k == 10:
		default:
			return false
		}
		for j := s; j < end; j++ {
			d := *(*byte)(unsafe.Add(p, j)) - '0'
			if d > 9 {
				return false
			}
			v[i] = v[i]*10 + int64(d)
		}
		s = end + 1
	}
	r.SrcPort, r.DstPort, r.Protocol = int32(v[0]), int32(v[1]), int32(v[2])
	r.Packets, r.Bytes, r.Start, r.End = v[3], v[4], v[5], v[6]
	return true
}
