package analyze

import (
	"encoding/binary"
	"net/netip"
)

// akey is an address as a pointer-free map key: maps keyed by it hash fast and are not scanned by the GC,
// unlike netip.Addr, which carries a zone pointer.
type akey struct{ hi, lo uint64 }

func keyOf(a netip.Addr) akey {
	b := a.As16()
	return akey{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func (k akey) addr() netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	return netip.AddrFrom16(b).Unmap()
}

// mapped4 reports whether k is an IPv4 address's key (the IPv4-mapped form keyOf gives it).
func (k akey) mapped4() bool { return k.hi == 0 && k.lo>>32 == 0xffff }

func (k akey) compare(o akey) int {
	switch {
	case k.hi < o.hi:
		return -1
	case k.hi > o.hi:
		return 1
	case k.lo < o.lo:
		return -1
	case k.lo > o.lo:
		return 1
	}
	return 0
}

// hash is k's hash for TopK (seeded: see TopK.seed).
func (k akey) hash(seed uint64) uint64 { return mix(k.lo ^ mix(k.hi^seed)) }

func (k akey) String() string { return k.addr().String() }

// pairKey is a source and destination.
type pairKey struct{ src, dst akey }

func (k pairKey) hash(seed uint64) uint64 { return k.dst.hash(k.src.hash(seed)) }

func (k PortProto) hash(seed uint64) uint64 {
	return mix(uint64(uint32(k.Port))<<32 | uint64(uint32(k.Proto)) ^ seed)
}
