#include "textflag.h"

#include "ipv4span_amd64.h"

// func ipv4SpanVec(q unsafe.Pointer, k int) (uint32, bool)
//
// 7 <= k <= 15 and the 16 bytes at q are readable (the caller's guarantee).
TEXT ·ipv4SpanVec(SB), NOSPLIT, $0-21
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), CX
	IPV4SPAN(SI, CX, bad)
	MOVL AX, ret+16(FP)
	MOVB $1, ret1+20(FP)
	RET

bad:
	MOVL $0, ret+16(FP)
	MOVB $0, ret1+20(FP)
	RET

// func ipv4PairVec(q unsafe.Pointer, k0, k1 int) (a0, a1 uint32, ok bool)
//
// Two adjacent spans: k0 bytes at q and k1 bytes at q+k0+1 (7 <= k0, k1 <= 15; the 16 bytes at each span
// readable: the caller's guarantee). One call for two addresses: a call costs the caller the registers it
// must save around it.
TEXT ·ipv4PairVec(SB), NOSPLIT, $0-33
	MOVQ q+0(FP), SI
	MOVQ k0+8(FP), CX
	IPV4SPAN(SI, CX, pairBad)
	MOVL AX, a0+24(FP)
	LEAQ 1(SI)(CX*1), SI
	MOVQ k1+16(FP), CX
	IPV4SPAN(SI, CX, pairBad)
	MOVL AX, a1+28(FP)
	MOVB $1, ok+32(FP)
	RET

pairBad:
	MOVL $0, a0+24(FP)
	MOVL $0, a1+28(FP)
	MOVB $0, ok+32(FP)
	RET
