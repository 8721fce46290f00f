#include "textflag.h"

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
#define HOME(off) \
	MOVQ off(BX), CX; \
	SHLQ $4, CX; \
	PREFETCHT0 (AX)(CX*1)

TEXT ·prefetchHomes(SB), NOSPLIT|NOFRAME, $0-16
	MOVQ slots+0(FP), AX
	MOVQ es+8(FP), BX
	HOME(16)
	HOME(40)
	HOME(64)
	HOME(88)
	HOME(112)
	HOME(136)
	HOME(160)
	HOME(184)
	RET
