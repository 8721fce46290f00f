#include "textflag.h"

// Sixteen bytes each: '.', '0', 0x50 and 0x89 (the non-digit test of classify_amd64.s), the weights
// 100, 10, 1, 0 of a lane's bytes for VPMADDUBSW, sixteen-bit ones for VPMADDWD, and 255 per 32-bit lane.
DATA ipv4Dots<>+0(SB)/8, $0x2e2e2e2e2e2e2e2e
DATA ipv4Dots<>+8(SB)/8, $0x2e2e2e2e2e2e2e2e
GLOBL ipv4Dots<>(SB), RODATA|NOPTR, $16
DATA ipv4Zeros<>+0(SB)/8, $0x3030303030303030
DATA ipv4Zeros<>+8(SB)/8, $0x3030303030303030
GLOBL ipv4Zeros<>(SB), RODATA|NOPTR, $16
DATA ipv4Bias<>+0(SB)/8, $0x5050505050505050
DATA ipv4Bias<>+8(SB)/8, $0x5050505050505050
GLOBL ipv4Bias<>(SB), RODATA|NOPTR, $16
DATA ipv4Limit<>+0(SB)/8, $0x8989898989898989
DATA ipv4Limit<>+8(SB)/8, $0x8989898989898989
GLOBL ipv4Limit<>(SB), RODATA|NOPTR, $16
DATA ipv4Weights<>+0(SB)/8, $0x00010a6400010a64
DATA ipv4Weights<>+8(SB)/8, $0x00010a6400010a64
GLOBL ipv4Weights<>(SB), RODATA|NOPTR, $16
DATA ipv4Ones<>+0(SB)/8, $0x0001000100010001
DATA ipv4Ones<>+8(SB)/8, $0x0001000100010001
GLOBL ipv4Ones<>(SB), RODATA|NOPTR, $16
DATA ipv4Max<>+0(SB)/8, $0x000000ff000000ff
DATA ipv4Max<>+8(SB)/8, $0x000000ff000000ff
GLOBL ipv4Max<>(SB), RODATA|NOPTR, $16

// func ipv4SpanVec(q unsafe.Pointer, k int) ([4]byte, bool)
//
// 7 <= k <= 15 and the 16 bytes at q are readable (the caller's guarantee); bits of the byte masks from k
// on are cleared with BZHI, so the bytes past the span never count.
//
// 1. Masks of the span's non-digits (AX), dots (BX) and '0' bytes (DX): the non-digits must be the dots.
// 2. The dots' positions p0 < p1 < p2 (TZCNT, BLSR; no fourth dot) give the octets' lengths k0 = p0,
//    k1 = p1-p0-1, k2 = p2-p1-1, k3 = k-p2-1, each at most 3 (one OR, one TEST: a negative length, from
//    fewer than three dots, fails too).
// 3. Octet starts S = dots<<1 | 1: an empty octet is a start that is a dot or k; a leading zero is a '0' at a
//    start followed by a digit. Either fails.
// 4. The lengths index ipv4Shuf: PSHUFB spreads the digits (minus '0') into lanes of hundreds, tens, units;
//    VPMADDUBSW and VPMADDWD turn each lane into its value; a value over 255 fails; two packs give the bytes.
TEXT ·ipv4SpanVec(SB), NOSPLIT, $0-21
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), CX
	VMOVDQU (SI), X0

	VPCMPEQB  ipv4Dots<>(SB), X0, X1
	VPMOVMSKB X1, BX
	VPADDB    ipv4Bias<>(SB), X0, X2
	VPCMPGTB  ipv4Limit<>(SB), X2, X2
	VPMOVMSKB X2, AX
	VPCMPEQB  ipv4Zeros<>(SB), X0, X3
	VPMOVMSKB X3, DX
	BZHIL     CX, AX, AX
	BZHIL     CX, BX, BX
	CMPL      AX, BX
	JNE       bad

	// Step 2: R8-R11 = k0-k3.
	TZCNTL BX, R8
	BLSRL  BX, AX
	TZCNTL AX, R9
	BLSRL  AX, AX
	TZCNTL AX, R10
	BLSRL  AX, AX
	JNZ    bad
	MOVL   CX, R11
	SUBL   R10, R11
	SUBL   R9, R10
	SUBL   R8, R9
	DECL   R9
	DECL   R10
	DECL   R11
	MOVL   R8, R12
	ORL    R9, R12
	ORL    R10, R12
	ORL    R11, R12
	TESTL  $-4, R12
	JNZ    bad

	// Step 3: R12 = S; R13 = dots | 1<<k | ('0' bytes followed by a digit).
	LEAL  1(BX)(BX*1), R12
	MOVL  BX, AX
	NOTL  AX
	BZHIL CX, AX, AX
	SHRL  $1, AX
	ANDL  DX, AX
	ORL   BX, AX
	BTSL  CX, AX
	TESTL R12, AX
	JNZ   bad

	// Step 4.
	SHLL     $2, R9
	SHLL     $4, R10
	SHLL     $6, R11
	ORL      R9, R8
	ORL      R10, R8
	ORL      R11, R8
	SHLL     $4, R8
	LEAQ     ·ipv4Shuf(SB), R9
	VPSUBB   ipv4Zeros<>(SB), X0, X0
	VPSHUFB  (R9)(R8*1), X0, X0
	VPMADDUBSW ipv4Weights<>(SB), X0, X0
	VPMADDWD ipv4Ones<>(SB), X0, X0
	VPCMPGTD ipv4Max<>(SB), X0, X1
	VPTEST   X1, X1
	JNZ      bad
	VPACKUSDW X0, X0, X0
	VPACKUSWB X0, X0, X0
	VMOVD    X0, AX
	MOVL     AX, ret+16(FP)
	MOVB     $1, ret1+20(FP)
	RET

bad:
	MOVL $0, ret+16(FP)
	MOVB $0, ret1+20(FP)
	RET
