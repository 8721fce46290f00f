#include "textflag.h"
#include "go_asm.h"

// Thirty-two bytes each: '0'; 0x76 and 0x80 (a byte minus '0', plus 0x76 with saturation, has its high bit
// set unless it was a digit); the weights of VPMADDUBSW (10, 1 and 100, 1) and of VPMADDWD (10000, 1); 10^8
// per 64-bit lane; and the mask of a time's ten digits (the last ten bytes of each lane).
DATA numZeros<>+0(SB)/8, $0x3030303030303030
DATA numZeros<>+8(SB)/8, $0x3030303030303030
DATA numZeros<>+16(SB)/8, $0x3030303030303030
DATA numZeros<>+24(SB)/8, $0x3030303030303030
GLOBL numZeros<>(SB), RODATA|NOPTR, $32
DATA numTop<>+0(SB)/8, $0x7676767676767676
DATA numTop<>+8(SB)/8, $0x7676767676767676
DATA numTop<>+16(SB)/8, $0x7676767676767676
DATA numTop<>+24(SB)/8, $0x7676767676767676
GLOBL numTop<>(SB), RODATA|NOPTR, $32
DATA numHigh<>+0(SB)/8, $0x8080808080808080
DATA numHigh<>+8(SB)/8, $0x8080808080808080
DATA numHigh<>+16(SB)/8, $0x8080808080808080
DATA numHigh<>+24(SB)/8, $0x8080808080808080
GLOBL numHigh<>(SB), RODATA|NOPTR, $32
DATA numW10<>+0(SB)/8, $0x010a010a010a010a
DATA numW10<>+8(SB)/8, $0x010a010a010a010a
DATA numW10<>+16(SB)/8, $0x010a010a010a010a
DATA numW10<>+24(SB)/8, $0x010a010a010a010a
GLOBL numW10<>(SB), RODATA|NOPTR, $32
DATA numW100<>+0(SB)/8, $0x0164016401640164
DATA numW100<>+8(SB)/8, $0x0164016401640164
DATA numW100<>+16(SB)/8, $0x0164016401640164
DATA numW100<>+24(SB)/8, $0x0164016401640164
GLOBL numW100<>(SB), RODATA|NOPTR, $32
DATA numW10000<>+0(SB)/8, $0x0001271000012710
DATA numW10000<>+8(SB)/8, $0x0001271000012710
DATA numW10000<>+16(SB)/8, $0x0001271000012710
DATA numW10000<>+24(SB)/8, $0x0001271000012710
GLOBL numW10000<>(SB), RODATA|NOPTR, $32
DATA numE8<>+0(SB)/8, $100000000
DATA numE8<>+8(SB)/8, $100000000
DATA numE8<>+16(SB)/8, $100000000
DATA numE8<>+24(SB)/8, $100000000
GLOBL numE8<>(SB), RODATA|NOPTR, $32
DATA numTime<>+0(SB)/8, $0xffff000000000000
DATA numTime<>+8(SB)/8, $0xffffffffffffffff
DATA numTime<>+16(SB)/8, $0xffff000000000000
DATA numTime<>+24(SB)/8, $0xffffffffffffffff
GLOBL numTime<>(SB), RODATA|NOPTR, $32

// numWin+k is the mask of a number of k digits (1 to 15) at the end of a 16-byte window: its last k bytes.
DATA numWin<>+0(SB)/8, $0
DATA numWin<>+8(SB)/8, $0
DATA numWin<>+16(SB)/8, $0xffffffffffffffff
DATA numWin<>+24(SB)/8, $0xffffffffffffffff
GLOBL numWin<>(SB), RODATA|NOPTR, $32

// func numbersVec(r *Record, p unsafe.Pointer, sp *[maskWords + 1]uint64, s int) (c uint64, base, next int)
//
// The ends: W, the space bits from s on (the 8 bytes of sp from byte s/8, shifted right by s%8: at least 57
// bits of the mask, zeros above), and TZCNT/BLSR for SrcPort to Bytes, relative to s. A zero above the 57
// bits hides nothing: a set bit found is the next one of the mask, and none found gives 64, which fails.
// Start and End take ten digits each: the set bits from Bytes' end on must be exactly those at +11 and +22
// in the next 23, all within the 57.
//
// Each number is read from its window, the 16 bytes that end at its column's end, masked to its last k bytes
// (k its length). The ends and lengths are checked before a window is read, so that each lies within
// [e0-16, e6). A byte of the masks that is not a digit fails (all windows at once: the largest byte minus
// '0'). VPMADDUBSW joins adjacent digits, VPACKUSWB and VPMADDUBSW again pairs of those (four digits in each
// 16-bit lane), VPMADDWD the fours (eight digits in each 32-bit lane: the window's first eight digits, then
// its last eight), and for the 64-bit columns VPMULUDQ and VPADDQ the eights.
//
// The ports and protocol (at most eight digits) are read from the last eight bytes of their windows, together
// in one register: SrcPort and DstPort in the low lane, Protocol in the high one. Packets and Bytes share a
// register, Start and End (ten digits each: their mask is a constant) another.
TEXT ·numbersVec(SB), NOSPLIT, $0-56
	MOVQ s+24(FP), AX
	MOVQ sp+16(FP), DX

	// R8: W. R9 to R13: the ends of SrcPort, DstPort, Protocol, Packets, Bytes less s.
	MOVQ   AX, CX
	SHRQ   $3, CX
	MOVL   AX, DI
	ANDL   $7, DI
	SHRXQ  DI, (DX)(CX*1), R8
	TZCNTQ R8, R9
	BLSRQ  R8, R8
	TZCNTQ R8, R10
	BLSRQ  R8, R8
	TZCNTQ R8, R11
	BLSRQ  R8, R8
	TZCNTQ R8, R12
	BLSRQ  R8, R8
	TZCNTQ R8, R13

	// Start and End: W's bits from Bytes' end on are 1, then ten zeros, 1, ten zeros, 1 (End's end at most
	// 56 past s, so within W).
	CMPQ  R13, $34
	JA    fail
	SHRXQ R13, R8, R8
	ANDL  $0x7fffff, R8
	CMPL  R8, $0x400801
	JNE   fail

	// SrcPort ends at least 16 bytes into the line; SI: p+s, the windows end at SI plus the ends in R9-R13.
	ADDQ R9, AX
	CMPQ AX, $16
	JLT  fail
	MOVQ p+8(FP), SI
	ADDQ s+24(FP), SI
	LEAQ numWin<>(SB), BX

	// SrcPort, DstPort, Protocol: lengths less one CX, DI, R8: each 0 to 7, so their OR too.
	LEAQ -1(R9), CX
	LEAQ -2(R10), DI
	SUBQ R9, DI
	LEAQ -2(R11), R8
	SUBQ R10, R8
	MOVQ CX, AX
	ORQ  DI, AX
	ORQ  R8, AX
	CMPQ AX, $7
	JA   fail

	// Their windows (Y0: SrcPort, Protocol; X2: DstPort) and masks (Y1, X3) minus '0', masked; their last
	// eight bytes joined in Y0: SrcPort and DstPort in the low lane, Protocol in the high one.
	VMOVDQU     -16(SI)(R9*1), X0
	VINSERTI128 $1, -16(SI)(R11*1), Y0, Y0
	VMOVDQU     1(BX)(CX*1), X1
	VINSERTI128 $1, 1(BX)(R8*1), Y1, Y1
	VMOVDQU     -16(SI)(R10*1), X2
	VMOVDQU     1(BX)(DI*1), X3
	VPSUBB      numZeros<>(SB), Y0, Y0
	VPAND       Y1, Y0, Y0
	VPSUBB      numZeros<>(SB), X2, X2
	VPAND       X3, X2, X2
	VPUNPCKHQDQ Y2, Y0, Y0

	// Packets, Bytes: lengths less one AX, CX: each 0 to 14.
	LEAQ -2(R12), AX
	SUBQ R11, AX
	CMPQ AX, $14
	JA   fail
	LEAQ -2(R13), CX
	SUBQ R12, CX
	CMPQ CX, $14
	JA   fail

	// Their windows (Y5: Packets, Bytes; Y7: Start, End, which end 11 and 22 bytes after Bytes) minus '0',
	// masked (Y6; numTime).
	VMOVDQU     -16(SI)(R12*1), X5
	VINSERTI128 $1, -16(SI)(R13*1), Y5, Y5
	VMOVDQU     1(BX)(AX*1), X6
	VINSERTI128 $1, 1(BX)(CX*1), Y6, Y6
	VMOVDQU     -5(SI)(R13*1), X7
	VINSERTI128 $1, 6(SI)(R13*1), Y7, Y7
	VPSUBB      numZeros<>(SB), Y5, Y5
	VPAND       Y6, Y5, Y5
	VPSUBB      numZeros<>(SB), Y7, Y7
	VPAND       numTime<>(SB), Y7, Y7

	// Digits only: the largest byte at most 9.
	VPMAXUB     Y5, Y0, Y8
	VPMAXUB     Y7, Y8, Y8
	VPADDUSB    numTop<>(SB), Y8, Y8
	VPTEST      numHigh<>(SB), Y8
	JNZ         fail

	// The values.
	MOVQ         r+0(FP), DI
	VPMADDUBSW   numW10<>(SB), Y0, Y0
	VPACKUSWB    Y0, Y0, Y0
	VPMADDUBSW   numW100<>(SB), Y0, Y0
	VPMADDWD     numW10000<>(SB), Y0, Y0 // low lane: SrcPort, DstPort (twice); high: Protocol, 0
	VMOVQ        X0, Record_SrcPort(DI)
	VEXTRACTI128 $1, Y0, X1
	VMOVD        X1, Record_Protocol(DI)

	VPMADDUBSW   numW10<>(SB), Y5, Y5
	VPMADDUBSW   numW10<>(SB), Y7, Y7
	VPACKUSWB    Y7, Y5, Y5
	VPMADDUBSW   numW100<>(SB), Y5, Y5
	VPMADDWD     numW10000<>(SB), Y5, Y5 // per 64-bit lane: first eight, last eight digits
	VPMULUDQ     numE8<>(SB), Y5, Y6
	VPSRLQ       $32, Y5, Y5
	VPADDQ       Y6, Y5, Y5              // Packets, Start, Bytes, End
	VPERMQ       $0xd8, Y5, Y5
	VMOVDQU      Y5, Record_Packets(DI)
	VZEROUPPER

	// The walk after End's end e6 (AX): its word's bits above it (CX), the word's bit (BX), e6+1.
	MOVQ  s+24(FP), AX
	LEAQ  22(AX)(R13*1), AX
	MOVQ  AX, BX
	ANDQ  $-64, BX
	MOVQ  BX, DI
	SHRQ  $3, DI
	MOVQ  $-2, CX
	SHLXQ AX, CX, CX
	ANDQ  (DX)(DI*1), CX
	INCQ  AX
	MOVQ  CX, c+32(FP)
	MOVQ  BX, base+40(FP)
	MOVQ  AX, next+48(FP)
	RET

fail:
	VZEROUPPER
	MOVQ $0, next+48(FP)
	RET
