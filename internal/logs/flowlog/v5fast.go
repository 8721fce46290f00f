// parseV5: one block per column, in FieldsOfVersion(5) order, each written from one template per kind of
// column (number, long number, string, address, action, log-status).

package flowlog

import "net/netip"

// v5Stops are the column counts after which parseV5 can stop: the fields of VPC versions 2, 3, 4 and 5.
var v5Stops = [...]int{14, 21, 25, 29}

// parseV5 reads the first cols columns (one of v5Stops) of a line whose format starts with the fields of VPC
// version 5 in their documented order (versions 2 to 5, and the first 29 columns of later versions), as the
// general loop in parseLine would, but for the common shapes only: fields one space apart, numbers of up to
// 15 digits (times up to MaxTime), IPv4 addresses, the usual action and log-status words, and "-". It returns
// the index after the last column's separator, or false for anything else: the caller then reads the line
// from its start the general way. Straight-line code with fixed destinations: no per-column dispatch.
func (r *Record) parseV5(b *lineBuf, cols int) (int, bool) {
	i, k := 0, 0
	var x uint64
	// Version
	x = b.load8(i)
	if k := digitsIn8(x); uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.Version = int32(digits8(x, k))
		i += k + 1
	} else if x&0xFFFF == naWord {
		r.Version = NA
		i += 2
	} else {
		return 0, false
	}
	// AccountID
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[AccountID] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[AccountID] = spanAt(i, e)
		i = e + 1
	}
	// InterfaceID
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[InterfaceID] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[InterfaceID] = spanAt(i, e)
		i = e + 1
	}
	// SrcAddr
	if a, k, ok := b.ipv4At(i); ok {
		r.SrcAddr = a
		i += k + 1
	} else if b.load8(i)&0xFFFF == naWord {
		r.SrcAddr = netip.Addr{}
		i += 2
	} else {
		return 0, false
	}
	// DstAddr
	if a, k, ok := b.ipv4At(i); ok {
		r.DstAddr = a
		i += k + 1
	} else if b.load8(i)&0xFFFF == naWord {
		r.DstAddr = netip.Addr{}
		i += 2
	} else {
		return 0, false
	}
	// SrcPort
	x = b.load8(i)
	if k := digitsIn8(x); uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.SrcPort = int32(digits8(x, k))
		i += k + 1
	} else if x&0xFFFF == naWord {
		r.SrcPort = NA
		i += 2
	} else {
		return 0, false
	}
	// DstPort
	x = b.load8(i)
	if k := digitsIn8(x); uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.DstPort = int32(digits8(x, k))
		i += k + 1
	} else if x&0xFFFF == naWord {
		r.DstPort = NA
		i += 2
	} else {
		return 0, false
	}
	// Protocol
	x = b.load8(i)
	if k := digitsIn8(x); uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.Protocol = int32(digits8(x, k))
		i += k + 1
	} else if x&0xFFFF == naWord {
		r.Protocol = NA
		i += 2
	} else {
		return 0, false
	}
	// Packets
	x = b.load8(i)
	k = digitsIn8(x)
	if uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.Packets = int64(digits8(x, k))
		i += k + 1
		goto PacketsDone
	}
	if k == 8 {
		// Eight to fifteen digits (times, byte counts): the rest from a second load.
		y := b.load8(i + 8)
		if k2 := digitsIn8(y); k2 < 8 && byteAt(y, k2) == ' ' {
			if v := int64(digits8(x, 8))*tenPow[k2&7] + int64(digits8(y, k2)); v >= 0 { // always (15 digits at most)
				r.Packets = v
				i += 8 + k2 + 1
				goto PacketsDone
			}
		}
	}
	if x&0xFFFF != naWord {
		return 0, false
	}
	r.Packets = NA
	i += 2
PacketsDone:
	// Bytes
	x = b.load8(i)
	k = digitsIn8(x)
	if uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.Bytes = int64(digits8(x, k))
		i += k + 1
		goto BytesDone
	}
	if k == 8 {
		// Eight to fifteen digits (times, byte counts): the rest from a second load.
		y := b.load8(i + 8)
		if k2 := digitsIn8(y); k2 < 8 && byteAt(y, k2) == ' ' {
			if v := int64(digits8(x, 8))*tenPow[k2&7] + int64(digits8(y, k2)); v >= 0 { // always (15 digits at most)
				r.Bytes = v
				i += 8 + k2 + 1
				goto BytesDone
			}
		}
	}
	if x&0xFFFF != naWord {
		return 0, false
	}
	r.Bytes = NA
	i += 2
BytesDone:
	// Start
	x = b.load8(i)
	k = digitsIn8(x)
	if uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.Start = int64(digits8(x, k))
		i += k + 1
		goto StartDone
	}
	if k == 8 {
		// Eight to fifteen digits (times, byte counts): the rest from a second load.
		y := b.load8(i + 8)
		if k2 := digitsIn8(y); k2 < 8 && byteAt(y, k2) == ' ' {
			if v := int64(digits8(x, 8))*tenPow[k2&7] + int64(digits8(y, k2)); v <= MaxTime {
				r.Start = v
				i += 8 + k2 + 1
				goto StartDone
			}
		}
	}
	if x&0xFFFF != naWord {
		return 0, false
	}
	r.Start = NA
	i += 2
StartDone:
	// End
	x = b.load8(i)
	k = digitsIn8(x)
	if uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.End = int64(digits8(x, k))
		i += k + 1
		goto EndDone
	}
	if k == 8 {
		// Eight to fifteen digits (times, byte counts): the rest from a second load.
		y := b.load8(i + 8)
		if k2 := digitsIn8(y); k2 < 8 && byteAt(y, k2) == ' ' {
			if v := int64(digits8(x, 8))*tenPow[k2&7] + int64(digits8(y, k2)); v <= MaxTime {
				r.End = v
				i += 8 + k2 + 1
				goto EndDone
			}
		}
	}
	if x&0xFFFF != naWord {
		return 0, false
	}
	r.End = NA
	i += 2
EndDone:
	// Action
	switch x = b.load8(i); x & 0x00FFFFFFFFFFFFFF {
	case accept:
		r.raw[Action], r.Action = spanAt(i, i+6), Accept
		i += 7
	case reject:
		r.raw[Action], r.Action = spanAt(i, i+6), Reject
		i += 7
	default:
		if x&0xFFFF != naWord {
			return 0, false
		}
		r.raw[Action], r.Action = spanAt(i, i+1), ActionNone
		i += 2
	}
	// LogStatus
	x = b.load8(i)
	switch {
	case x&0xFFFFFF == ok:
		r.raw[LogStatus], r.LogStatus = spanAt(i, i+2), OK
		i += 3
	case x&0xFFFF == naWord:
		r.raw[LogStatus], r.LogStatus = spanAt(i, i+1), StatusNone
		i += 2
	case x&0x00FFFFFFFFFFFFFF == noData:
		r.raw[LogStatus], r.LogStatus = spanAt(i, i+6), NoData
		i += 7
	case x == skipData && b.load8(i+8)&0xFF == ' ':
		r.raw[LogStatus], r.LogStatus = spanAt(i, i+8), SkipData
		i += 9
	default:
		return 0, false
	}
	if cols == 14 {
		return i, true
	}
	// VPCID
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[VPCID] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[VPCID] = spanAt(i, e)
		i = e + 1
	}
	// SubnetID
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[SubnetID] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[SubnetID] = spanAt(i, e)
		i = e + 1
	}
	// InstanceID
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[InstanceID] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[InstanceID] = spanAt(i, e)
		i = e + 1
	}
	// TCPFlags
	x = b.load8(i)
	if k := digitsIn8(x); uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.TCPFlags = int32(digits8(x, k))
		i += k + 1
	} else if x&0xFFFF == naWord {
		r.TCPFlags = NA
		i += 2
	} else {
		return 0, false
	}
	// Type
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[Type] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[Type] = spanAt(i, e)
		i = e + 1
	}
	// PktSrcAddr
	if a, k, ok := b.ipv4At(i); ok {
		r.PktSrcAddr = a
		i += k + 1
	} else if b.load8(i)&0xFFFF == naWord {
		r.PktSrcAddr = netip.Addr{}
		i += 2
	} else {
		return 0, false
	}
	// PktDstAddr
	if a, k, ok := b.ipv4At(i); ok {
		r.PktDstAddr = a
		i += k + 1
	} else if b.load8(i)&0xFFFF == naWord {
		r.PktDstAddr = netip.Addr{}
		i += 2
	} else {
		return 0, false
	}
	if cols == 21 {
		return i, true
	}
	// Region
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[Region] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[Region] = spanAt(i, e)
		i = e + 1
	}
	// AZID
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[AZID] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[AZID] = spanAt(i, e)
		i = e + 1
	}
	// SublocationType
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[SublocationType] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[SublocationType] = spanAt(i, e)
		i = e + 1
	}
	// SublocationID
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[SublocationID] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[SublocationID] = spanAt(i, e)
		i = e + 1
	}
	if cols == 25 {
		return i, true
	}
	// PktSrcAWSService
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[PktSrcAWSService] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[PktSrcAWSService] = spanAt(i, e)
		i = e + 1
	}
	// PktDstAWSService
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[PktDstAWSService] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[PktDstAWSService] = spanAt(i, e)
		i = e + 1
	}
	// FlowDirection
	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[FlowDirection] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[FlowDirection] = spanAt(i, e)
		i = e + 1
	}
	// TrafficPath
	x = b.load8(i)
	if k := digitsIn8(x); uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.TrafficPath = int32(digits8(x, k))
		i += k + 1
	} else if x&0xFFFF == naWord {
		r.TrafficPath = NA
		i += 2
	} else {
		return 0, false
	}
	return i, true
}

// v5Order is the order of the columns parseV5 reads (its tests check it against FieldsOfVersion(5)).
var v5Order = [...]Field{Version, AccountID, InterfaceID, SrcAddr, DstAddr, SrcPort, DstPort, Protocol, Packets, Bytes, Start, End, Action, LogStatus, VPCID, SubnetID, InstanceID, TCPFlags, Type, PktSrcAddr, PktDstAddr, Region, AZID, SublocationType, SublocationID, PktSrcAWSService, PktDstAWSService, FlowDirection, TrafficPath}
