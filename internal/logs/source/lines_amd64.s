#include "textflag.h"

// func lineEndsAVX2(p *byte, n, from int, ends *uint32, stored, room int) (stop, count, k int)
//
// 64-byte blocks from offset from: two VPCMPEQBs with '\n', OR-ed and tested, so that a block without a
// newline (most of them: records are 60 to 400 bytes) costs one branch; a block with one gives a 64-bit
// mask (two VPMOVMSKBs), and each bit is then stored (while there is room), counted, and the byte after it
// tested for a possible header start ([a-z], ' ', '\t'). Fewer than 64 bytes left: one 32-byte block, then
// the last bytes (fewer than 32) one at a time: nothing at or past p+n is read.
//
// SI p, CX n, DX offset of the block, R10 ends, R11 stored, R12 room, R13 count, AX newline bits, R14 the
// block's width, DI the tail's offset once its bits are gathered (else -1).
TEXT ·lineEndsAVX2(SB), NOSPLIT, $0-72
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ from+16(FP), DX
	MOVQ ends+24(FP), R10
	MOVQ stored+32(FP), R11
	MOVQ room+40(FP), R12
	XORQ R13, R13
	MOVQ $-1, DI
	MOVL $0x0a, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y0

block64:
	LEAQ 64(DX), BX
	CMPQ BX, CX
	JA   block32
	VMOVDQU   (SI)(DX*1), Y1
	VMOVDQU   32(SI)(DX*1), Y2
	VPCMPEQB  Y0, Y1, Y1
	VPCMPEQB  Y0, Y2, Y2
	VPOR      Y1, Y2, Y3
	VPTEST    Y3, Y3
	JZ        next64
	VPMOVMSKB Y1, AX
	VPMOVMSKB Y2, R8
	SHLQ      $32, R8
	ORQ       R8, AX
	MOVL      $64, R14
	JMP       bits

next64:
	ADDQ $64, DX
	JMP  block64

	// 32 to 63 bytes left.
block32:
	LEAQ 32(DX), BX
	CMPQ BX, CX
	JA   tail
	VMOVDQU   (SI)(DX*1), Y1
	VPCMPEQB  Y0, Y1, Y1
	VPMOVMSKB Y1, AX
	MOVL      $32, R14
	TESTL     AX, AX
	JNZ       bits
	ADDQ      $32, DX
	JMP       tail

bits:
	TZCNTQ AX, BX
	ADDQ   DX, BX       // the newline's offset
	CMPQ   R11, R12
	JAE    counted
	MOVL   BX, (R10)(R11*4)
	INCQ   R11

counted:
	INCQ R13
	INCQ BX             // the next line's start
	CMPQ BX, CX
	JAE  nextbit
	MOVBLZX (SI)(BX*1), R8
	LEAL -97(R8), R9
	CMPL R9, $25
	JLS  found
	CMPL R8, $32
	JEQ  found
	CMPL R8, $9
	JEQ  found

nextbit:
	BLSRQ AX, AX
	JNZ   bits
	CMPQ  DX, DI
	JEQ   none          // that was the tail's mask
	ADDQ  R14, DX
	JMP   block64

	// Fewer than 32 bytes left: their newline bits are gathered one byte at a time, then handled as a
	// block's (DI marks the tail's offset).
tail:
	XORL AX, AX
	MOVQ DX, R8

tloop:
	CMPQ R8, CX
	JAE  tdone
	CMPB (SI)(R8*1), $0x0a
	JNE  tnext
	MOVQ R8, R9
	SUBQ DX, R9
	BTSL R9, AX

tnext:
	INCQ R8
	JMP  tloop

tdone:
	MOVQ  DX, DI
	TESTL AX, AX
	JNZ   bits

none:
	MOVQ CX, BX         // no possible header line: stop at the end

found:
	VZEROUPPER
	MOVQ BX, stop+48(FP)
	MOVQ R13, count+56(FP)
	MOVQ R11, k+64(FP)
	RET
