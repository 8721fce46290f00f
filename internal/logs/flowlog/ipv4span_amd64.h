// IPV4SPAN and its constants, included by ipv4span_amd64.s and classify_amd64.s (each file has its own copy
// of the file-local constants).

// Thirty-two bytes each (IPV4SPAN reads the first sixteen, IPV4PAIR all): '.', '0', 0x50 and 0x89 (the
// non-digit test of classify_amd64.s), the weights 100, 10, 1, 0 of a lane's bytes for VPMADDUBSW,
// sixteen-bit ones for VPMADDWD, and 255 per 32-bit lane.
DATA ipv4Dots<>+0(SB)/8, $0x2e2e2e2e2e2e2e2e
DATA ipv4Dots<>+8(SB)/8, $0x2e2e2e2e2e2e2e2e
DATA ipv4Dots<>+16(SB)/8, $0x2e2e2e2e2e2e2e2e
DATA ipv4Dots<>+24(SB)/8, $0x2e2e2e2e2e2e2e2e
GLOBL ipv4Dots<>(SB), RODATA|NOPTR, $32
DATA ipv4Zeros<>+0(SB)/8, $0x3030303030303030
DATA ipv4Zeros<>+8(SB)/8, $0x3030303030303030
DATA ipv4Zeros<>+16(SB)/8, $0x3030303030303030
DATA ipv4Zeros<>+24(SB)/8, $0x3030303030303030
GLOBL ipv4Zeros<>(SB), RODATA|NOPTR, $32
DATA ipv4Bias<>+0(SB)/8, $0x5050505050505050
DATA ipv4Bias<>+8(SB)/8, $0x5050505050505050
DATA ipv4Bias<>+16(SB)/8, $0x5050505050505050
DATA ipv4Bias<>+24(SB)/8, $0x5050505050505050
GLOBL ipv4Bias<>(SB), RODATA|NOPTR, $32
DATA ipv4Limit<>+0(SB)/8, $0x8989898989898989
DATA ipv4Limit<>+8(SB)/8, $0x8989898989898989
DATA ipv4Limit<>+16(SB)/8, $0x8989898989898989
DATA ipv4Limit<>+24(SB)/8, $0x8989898989898989
GLOBL ipv4Limit<>(SB), RODATA|NOPTR, $32
DATA ipv4Weights<>+0(SB)/8, $0x00010a6400010a64
DATA ipv4Weights<>+8(SB)/8, $0x00010a6400010a64
DATA ipv4Weights<>+16(SB)/8, $0x00010a6400010a64
DATA ipv4Weights<>+24(SB)/8, $0x00010a6400010a64
GLOBL ipv4Weights<>(SB), RODATA|NOPTR, $32
DATA ipv4Ones<>+0(SB)/8, $0x0001000100010001
DATA ipv4Ones<>+8(SB)/8, $0x0001000100010001
DATA ipv4Ones<>+16(SB)/8, $0x0001000100010001
DATA ipv4Ones<>+24(SB)/8, $0x0001000100010001
GLOBL ipv4Ones<>(SB), RODATA|NOPTR, $32
DATA ipv4Max<>+0(SB)/8, $0x000000ff000000ff
DATA ipv4Max<>+8(SB)/8, $0x000000ff000000ff
DATA ipv4Max<>+16(SB)/8, $0x000000ff000000ff
DATA ipv4Max<>+24(SB)/8, $0x000000ff000000ff
GLOBL ipv4Max<>(SB), RODATA|NOPTR, $32

// IPV4SPAN reads the span of K bytes at Q (7 <= K <= 15; the 16 bytes at Q readable) into AX, the octets
// (the first in the low byte), or jumps to FAIL. It uses X0-X3, AX, BX, DX, R8-R10; K and Q are kept.
//
// 1. Masks of the span's non-digits (AX) and dots (BX): the non-digits must be the dots. Bits of the byte
//    masks from K on are cleared with BZHI, so the bytes past the span never count.
// 2. The layout key BX = dots | 1<<K picks the row of ipv4Tab (32 bytes) by the top byte of key×ipv4Hash;
//    its key must be BX: then there are exactly three dots and each octet has 1 to 3 digits.
// 3. No '0' byte at the start of an octet of two or three digits (the row's lead mask).
// 4. The row's PSHUFB control spreads the digits (minus '0') into lanes of hundreds, tens, units;
//    VPMADDUBSW and VPMADDWD turn each lane into its value; a value over 255 fails; two packs give the bytes.
#define IPV4SPAN(Q, K, FAIL) \
	VMOVDQU   (Q), X0; \
	VPCMPEQB  ipv4Dots<>(SB), X0, X1; \
	VPMOVMSKB X1, BX; \
	VPADDB    ipv4Bias<>(SB), X0, X2; \
	VPCMPGTB  ipv4Limit<>(SB), X2, X2; \
	VPMOVMSKB X2, AX; \
	BZHIL     K, AX, AX; \
	BZHIL     K, BX, BX; \
	CMPL      AX, BX; \
	JNE       FAIL; \
	BTSL      K, BX; \
	IMUL3L    $0x892ebe63, BX, R8; \
	SHRL      $24, R8; \
	SHLL      $5, R8; \
	LEAQ      ·ipv4Tab(SB), R9; \
	ADDQ      R8, R9; \
	MOVWLZX   16(R9), R10; \
	CMPL      R10, BX; \
	JNE       FAIL; \
	VPCMPEQB  ipv4Zeros<>(SB), X0, X3; \
	VPMOVMSKB X3, DX; \
	MOVWLZX   18(R9), R10; \
	TESTL     R10, DX; \
	JNZ       FAIL; \
	VPSUBB     ipv4Zeros<>(SB), X0, X0; \
	VPSHUFB    (R9), X0, X0; \
	VPMADDUBSW ipv4Weights<>(SB), X0, X0; \
	VPMADDWD   ipv4Ones<>(SB), X0, X0; \
	VPCMPGTD   ipv4Max<>(SB), X0, X1; \
	VPTEST     X1, X1; \
	JNZ        FAIL; \
	VPACKUSDW  X0, X0, X0; \
	VPACKUSWB  X0, X0, X0; \
	VMOVD      X0, AX


// IPV4PAIR is IPV4SPAN on two spans at once, K0 bytes at Q and K1 bytes at Q+K0+1 (7 <= K0, K1 <= 15; the 16
// bytes at each readable), one in each 128-bit lane of Y0: AX gets the first's octets, DX the second's, or
// it jumps to FAIL. It uses Y0-Y4, AX, BX, DX, R8-R12; K0, K1 and Q are kept. Needs AVX2.
//
// The steps of IPV4SPAN, with 32-bit masks (the first span's bits 0-15, the second's 16-31), cut at K0 and
// K1 by one mask; two layout keys and rows; the rows' PSHUFB controls side by side in Y4.
#define IPV4PAIR(Q, K0, K1, FAIL) \
	LEAQ        1(Q)(K0*1), R8; \
	VMOVDQU     (Q), X0; \
	VINSERTI128 $1, (R8), Y0, Y0; \
	VPCMPEQB    ipv4Dots<>(SB), Y0, Y1; \
	VPMOVMSKB   Y1, BX; \
	VPADDB      ipv4Bias<>(SB), Y0, Y2; \
	VPCMPGTB    ipv4Limit<>(SB), Y2, Y2; \
	VPMOVMSKB   Y2, AX; \
	MOVL        $0xffff, R8; \
	BZHIL       K0, R8, R9; \
	BZHIL       K1, R8, R10; \
	SHLL        $16, R10; \
	ORL         R10, R9; \
	ANDL        R9, AX; \
	ANDL        R9, BX; \
	CMPL        AX, BX; \
	JNE         FAIL; \
	MOVL        BX, R11; \
	SHRL        $16, R11; \
	MOVWLZX     BX, BX; \
	BTSL        K0, BX; \
	BTSL        K1, R11; \
	LEAQ        ·ipv4Tab(SB), R10; \
	IMUL3L      $0x892ebe63, BX, R8; \
	SHRL        $24, R8; \
	SHLL        $5, R8; \
	ADDQ        R10, R8; \
	IMUL3L      $0x892ebe63, R11, R9; \
	SHRL        $24, R9; \
	SHLL        $5, R9; \
	ADDQ        R10, R9; \
	MOVWLZX     16(R8), R10; \
	CMPL        R10, BX; \
	JNE         FAIL; \
	MOVWLZX     16(R9), R10; \
	CMPL        R10, R11; \
	JNE         FAIL; \
	VPCMPEQB    ipv4Zeros<>(SB), Y0, Y3; \
	VPMOVMSKB   Y3, DX; \
	MOVWLZX     18(R9), R10; \
	SHLL        $16, R10; \
	MOVWLZX     18(R8), R12; \
	ORL         R12, R10; \
	TESTL       R10, DX; \
	JNZ         FAIL; \
	VMOVDQU     (R8), X4; \
	VINSERTI128 $1, (R9), Y4, Y4; \
	VPSUBB      ipv4Zeros<>(SB), Y0, Y0; \
	VPSHUFB     Y4, Y0, Y0; \
	VPMADDUBSW  ipv4Weights<>(SB), Y0, Y0; \
	VPMADDWD    ipv4Ones<>(SB), Y0, Y0; \
	VPCMPGTD    ipv4Max<>(SB), Y0, Y1; \
	VPTEST      Y1, Y1; \
	JNZ         FAIL; \
	VPACKUSDW   Y0, Y0, Y0; \
	VPACKUSWB   Y0, Y0, Y0; \
	VMOVD       X0, AX; \
	VEXTRACTI128 $1, Y0, X1; \
	VMOVD       X1, DX
