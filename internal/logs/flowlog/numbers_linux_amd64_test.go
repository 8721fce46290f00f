package flowlog

import (
	"os"
	"strings"
	"testing"
)

// TestNumbersGuardPages runs numbersVec on lines that end exactly at the end of a readable page followed by
// an inaccessible one (no padding), and lines that start exactly at the start of a readable page preceded by
// an inaccessible one: a load past the line's end, or before its start, would crash the test.
func TestNumbersGuardPages(t *testing.T) {
	needAVX2(t) // (numbersVec needs AVX2, BMI1 and BMI2, as the vector classify)
	page, ps := guardedPage(t), os.Getpagesize()
	f := strings.Split(v5Line, " ")
	var lines []string
	for n := 1; n <= 14; n++ { // the line cut after each column: the ends of the missing ones are past it
		lines = append(lines, strings.Join(f[:n], " "))
	}
	for _, acct := range []string{"1", "12", "123456789012"} { // SrcPort ending around byte 16
		g := append([]string(nil), f[:14]...)
		g[1], g[2], g[3], g[4] = acct, "e", "1.2.3.4", "5.6.7.8"
		lines = append(lines, strings.Join(g, " "), strings.Join(g[:12], " "))
	}
	for _, v := range numberValues() {
		g := append([]string(nil), f[:12]...)
		g[11] = v // the last column: its end is the line's end
		lines = append(lines, strings.Join(g, " "))
	}
	for _, line := range lines {
		n := len(line)
		for _, b := range [][]byte{page[ps-n:], page[:n]} {
			copy(b, line)
			checkNumbersIn(t, line, b)
		}
	}
}
