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

// func numbersVec(r *Record, p unsafe.Pointer, s int, e *[7]int) bool
//
// Each number is read from its window, the 16 bytes that end at its column's end, masked to its last k bytes
// (k its length). The lengths are checked before a window is read, so that each lies within [e[0]-16, e[6]).
// A byte of the masks that is not a digit fails (all windows at once: the largest byte minus '0'). VPMADDUBSW
// joins adjacent digits, VPACKUSWB and VPMADDUBSW again pairs of those (four digits in each 16-bit lane),
// VPMADDWD the fours (eight digits in each 32-bit lane: the window's first eight digits, then its last
// eight), and for the 64-bit columns VPMULUDQ and VPADDQ the eights.
//
// The ports and protocol (at most eight digits) are read from the last eight bytes of their windows, together
// in one register: SrcPort and DstPort in the low lane, Protocol in the high one. Packets and Bytes share a
// register, Start and End (ten digits each: their mask is a constant) another.
TEXT ·numbersVec(SB), NOSPLIT, $0-33
	MOVQ p+8(FP), SI
	MOVQ s+16(FP), AX
	MOVQ e+24(FP), DX
	LEAQ numWin<>(SB), BX

	// SrcPort, DstPort, Protocol: ends R8, R10, R12, lengths less one R9, R11, R13: each 0 to 7, so their OR
	// too. SrcPort's window starts at p or later.
	MOVQ 0(DX), R8
	CMPQ R8, $16
	JLT  fail
	LEAQ -1(R8), R9
	SUBQ AX, R9
	MOVQ 8(DX), R10
	LEAQ -2(R10), R11
	SUBQ R8, R11
	MOVQ 16(DX), R12
	LEAQ -2(R12), R13
	SUBQ R10, R13
	MOVQ R9, AX
	ORQ  R11, AX
	ORQ  R13, AX
	CMPQ AX, $7
	JA   fail

	// Their windows (Y0: SrcPort, Protocol; X2: DstPort) and masks (Y1, X3) minus '0', masked; their last
	// eight bytes joined in Y0: SrcPort and DstPort in the low lane, Protocol in the high one.
	VMOVDQU     -16(SI)(R8*1), X0
	VINSERTI128 $1, -16(SI)(R12*1), Y0, Y0
	VMOVDQU     1(BX)(R9*1), X1
	VINSERTI128 $1, 1(BX)(R13*1), Y1, Y1
	VMOVDQU     -16(SI)(R10*1), X2
	VMOVDQU     1(BX)(R11*1), X3
	VPSUBB      numZeros<>(SB), Y0, Y0
	VPAND       Y1, Y0, Y0
	VPSUBB      numZeros<>(SB), X2, X2
	VPAND       X3, X2, X2
	VPUNPCKHQDQ Y2, Y0, Y0

	// Packets, Bytes: ends AX, CX, lengths less one R8, R9: each 0 to 14. Start and End: ten digits each, so
	// they end at CX+11 and CX+22.
	MOVQ 24(DX), AX
	LEAQ -2(AX), R8
	SUBQ R12, R8
	CMPQ R8, $14
	JA   fail
	MOVQ 32(DX), CX
	LEAQ -2(CX), R9
	SUBQ AX, R9
	CMPQ R9, $14
	JA   fail
	LEAQ 11(CX), R10
	CMPQ R10, 40(DX)
	JNE  fail
	ADDQ $11, R10
	CMPQ R10, 48(DX)
	JNE  fail

	// Their windows (Y5: Packets, Bytes; Y7: Start, End) minus '0', masked (Y6; numTime).
	VMOVDQU     -16(SI)(AX*1), X5
	VINSERTI128 $1, -16(SI)(CX*1), Y5, Y5
	VMOVDQU     1(BX)(R8*1), X6
	VINSERTI128 $1, 1(BX)(R9*1), Y6, Y6
	VMOVDQU     -5(SI)(CX*1), X7
	VINSERTI128 $1, 6(SI)(CX*1), Y7, Y7
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
	MOVB         $1, ret+32(FP)
	RET

fail:
	VZEROUPPER
	MOVB $0, ret+32(FP)
	RET
