#include "textflag.h"

// func prefetch(p unsafe.Pointer)
TEXT ·prefetch(SB), NOSPLIT|NOFRAME, $0-8
	MOVD p+0(FP), R0
	PRFM (R0), PLDL1KEEP
	RET

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
TEXT ·prefetchHomes(SB), NOSPLIT|NOFRAME, $0-16
	MOVD slots+0(FP), R0
	MOVD es+8(FP), R1
	MOVD 16(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	MOVD 40(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	MOVD 64(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	MOVD 88(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	MOVD 112(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	MOVD 136(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	MOVD 160(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	MOVD 184(R1), R2
	ADD R2<<4, R0, R2
	PRFM (R2), PLDL1KEEP
	RET
