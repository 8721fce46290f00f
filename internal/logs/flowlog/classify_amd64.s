#include "textflag.h"
#include "ipv4span_amd64.h"

// Eight ' ' bytes, for VPBROADCASTQ.
DATA classifySpaces<>+0(SB)/8, $0x2020202020202020
GLOBL classifySpaces<>(SB), RODATA|NOPTR, $8

// func classifyAVX2Asm(m *lineMasks, line []byte, p unsafe.Pointer)
//
// Layout of lineMasks: the sp words at 0(m), nine of them (the ninth is always all ones), then pair: a0 at
// 72(m), a1 at 76(m), ok at 80(m) (TestLineMasksLayout). len(line) <= 512 (checked by the caller).
//
// Per 32 bytes x: space = VPCMPEQB(x, ' '); VPMOVMSKB turns it into 32 bits; two make a mask word.
//
// Memory safety: full 64-byte blocks lie inside the line. The last partial block (r = len&63 bytes at
// offset i = len&^63) is read with one 64-byte load at line+i when that load stays within the 4 KiB page
// of line[i] (page offset <= 4096-64); the bytes past the line's end are then masked off. Otherwise the
// load is the 64 bytes ending at the line's end, line+len-64 .. line+len, and the mask word is shifted
// right by 64-r. That load cannot fault either: line+i is within 63 bytes of the end of its page P, so
// line+len-64 > line+i-64 >= start of P, and every byte up to line+len-1 is in P or in the page of the
// line's last byte. (It may read bytes before line[0], in P; their bits are shifted out.)
TEXT ·classifyAVX2Asm(SB), NOSPLIT, $0-40
	MOVQ m+0(FP), DI
	MOVQ line_base+8(FP), SI
	MOVQ line_len+16(FP), BX

	// Every word all ones first: the words past the line stay so.
	VPCMPEQB Y0, Y0, Y0
	VMOVDQU  Y0, 0(DI)
	VMOVDQU  Y0, 32(DI)
	MOVQ     $-1, 64(DI)

	VPBROADCASTQ classifySpaces<>(SB), Y1

	// CX counts the full blocks' mask words in bytes, from -8×blocks up to 0; SI and DI point past them.
	MOVQ BX, CX
	SHRQ $6, CX
	JZ   tail
	SHLQ $3, CX
	LEAQ (SI)(CX*8), SI
	ADDQ CX, DI
	NEGQ CX

block:
	VMOVDQU   0(SI)(CX*8), Y4
	VMOVDQU   32(SI)(CX*8), Y5
	VPCMPEQB  Y1, Y4, Y6
	VPCMPEQB  Y1, Y5, Y7
	VPMOVMSKB Y6, R8
	VPMOVMSKB Y7, R9
	SHLQ      $32, R9
	ORQ       R9, R8
	MOVQ      R8, 0(DI)(CX*1)
	ADDQ      $8, CX
	JNZ       block

tail:
	ANDQ $63, BX // r: bytes in the partial block
	JZ   done

	// SI = line+i. The usual case: a load at SI that stays in SI's page, shift 0.
	XORL DX, DX
	MOVL SI, R10
	ANDL $4095, R10
	CMPL R10, $4032
	JHI  backward

partial:
	VMOVDQU   0(SI), Y4
	VMOVDQU   32(SI), Y5
	VPCMPEQB  Y1, Y4, Y6
	VPCMPEQB  Y1, Y5, Y7
	VPMOVMSKB Y6, R8
	VPMOVMSKB Y7, R9
	SHLQ      $32, R9
	ORQ       R9, R8
	SHRXQ     DX, R8, R8

	MOVQ  $-1, R12
	SHLXQ BX, R12, R12 // the bits at and past the line's end
	ORQ   R12, R8
	MOVQ  R8, 0(DI)

done:
	// The pair, with p: columns 3 and 4 (between the 3rd, 4th and 5th set bits of the first word, c2 < c3 <
	// c4; TZCNT gives 64 where a word has no bit left) read as IPv4 addresses. Both spans of 7 to 15 bytes:
	// then c3 and c4 are within the line (the bits past its end are consecutive), so the 16 bytes at each span
	// are readable at p.
	MOVQ   m+0(FP), DI
	MOVQ   p+32(FP), SI
	TESTQ  SI, SI
	JZ     nopair
	MOVQ   0(DI), R11
	BLSRQ  R11, R11
	BLSRQ  R11, R11
	TZCNTQ R11, R12 // c2
	BLSRQ  R11, R11
	TZCNTQ R11, R13 // c3
	BLSRQ  R11, R11
	TZCNTQ R11, CX  // c4
	JCS    nopair   // no 5th bit in the word: c4 is 64, not an end
	SUBQ   R13, CX
	DECQ   CX       // k1 = c4-c3-1
	LEAQ   1(SI)(R12*1), SI // q = p+c2+1
	SUBQ   R12, R13
	DECQ   R13      // k0 = c3-c2-1 (negative when c3 or c2 is 64)
	LEAQ   -7(R13), R11
	CMPQ   R11, $8
	JHI    nopair
	LEAQ   -7(CX), R11
	CMPQ   R11, $8
	JHI    nopair
	IPV4PAIR(SI, R13, CX, nopair)
	SHLQ   $32, DX
	ORQ    DX, AX
	MOVQ   AX, 72(DI)
	MOVB   $1, 80(DI)
	VZEROUPPER
	RET

nopair:
	MOVQ $0, 72(DI)
	MOVB $0, 80(DI)

out:
	VZEROUPPER
	RET

backward:
	// The load would cross SI's page: load the 64 bytes ending at the line's end, SI+r, and shift the
	// mask word right by 64-r.
	LEAQ -64(SI)(BX*1), SI
	MOVL $64, DX
	SUBL BX, DX
	JMP  partial
