#include "textflag.h"

// func prefetch(p unsafe.Pointer)
TEXT ·prefetch(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ p+0(FP), AX
	PREFETCHT0 (AX)
	RET

// func prefetchBlock(p unsafe.Pointer)
TEXT ·prefetchBlock(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ p+0(FP), AX
	PREFETCHT0 (AX)
	PREFETCHT0 64(AX)
	PREFETCHT0 128(AX)
	PREFETCHT0 192(AX)
	RET

// func prefetchHomes(slots unsafe.Pointer, es *[8]lagEntry)
// Prefetches slots + 16×es[j].i for the 8 entries (lagEntry: k, w, i: i at 16, 24 bytes each; slot64: 16).
TEXT ·prefetchHomes(SB), NOSPLIT|NOFRAME, $0-16
	MOVQ slots+0(FP), AX
	MOVQ es+8(FP), BX
	MOVQ 16(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	MOVQ 40(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	MOVQ 64(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	MOVQ 88(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	MOVQ 112(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	MOVQ 136(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	MOVQ 160(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	MOVQ 184(BX), CX
	SHLQ $4, CX
	PREFETCHT0 (AX)(CX*1)
	RET
