#include "textflag.h"

// func prefetchBlock(p unsafe.Pointer)
TEXT ·prefetchBlock(SB), NOSPLIT|NOFRAME, $0-8
	MOVD p+0(FP), R0
	PRFM (R0), PLDL1KEEP
	PRFM 64(R0), PLDL1KEEP
	PRFM 128(R0), PLDL1KEEP
	PRFM 192(R0), PLDL1KEEP
	RET

// func prefetchHomes(slots unsafe.Pointer, es *[8]lagEntry)
// Prefetches slots + 16×es[j].i for the 8 entries (lagEntry: k, w, i: i at 16, 24 bytes each; slot64: 16).
#define HOME(off) \
	MOVD off(R1), R2; \
	ADD R2<<4, R0, R2; \
	PRFM (R2), PLDL1KEEP

TEXT ·prefetchHomes(SB), NOSPLIT|NOFRAME, $0-16
	MOVD slots+0(FP), R0
	MOVD es+8(FP), R1
	HOME(16)
	HOME(40)
	HOME(64)
	HOME(88)
	HOME(112)
	HOME(136)
	HOME(160)
	HOME(184)
	RET
