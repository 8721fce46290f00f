// Package humanize formats numbers for people: byte sizes in binary units (KiB, MiB, GiB …) and counts with
// thousands separators. Human formats (tables, HTML) use it; machine formats (JSON, CSV) keep raw numbers.
package humanize

import (
	"strconv"
)

var units = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// Bytes renders n bytes: "512 B", "1.0 KiB", "8.2 GiB". Values of 1 KiB and more have one decimal, rounded
// half away from zero, and never show "1024.0" of a unit (that is the next unit). Negative values keep their sign.
func Bytes(n int64) string {
	if n > -1024 && n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	neg := n < 0
	// Work in uint64 so that math.MinInt64 has a magnitude.
	u := uint64(n)
	if neg {
		u = -u
	}
	// Tenths of the unit, computed in integers so that the rounding is exact: v = round(u*10/1024^(i+1)).
	i := 0
	div := uint64(1024)
	for i < len(units)-1 && u >= div*1024-div/20 { // would round to 1024.0 of this unit or more: next unit
		div *= 1024
		i++
	}
	tenths := (u/div)*10 + ((u%div)*10+div/2)/div
	s := strconv.FormatUint(tenths/10, 10) + "." + strconv.FormatUint(tenths%10, 10) + " " + units[i]
	if neg {
		return "-" + s
	}
	return s
}

// Count renders n with a comma every three digits: 8823384480 -> "8,823,384,480".
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	start := 0
	if n < 0 {
		start = 1
	}
	digits := len(s) - start
	if digits <= 3 {
		return s
	}
	b := make([]byte, 0, len(s)+(digits-1)/3)
	b = append(b, s[:start]...)
	first := digits % 3
	if first == 0 {
		first = 3
	}
	b = append(b, s[start:start+first]...)
	for i := start + first; i < len(s); i += 3 {
		b = append(b, ',')
		b = append(b, s[i:i+3]...)
	}
	return string(b)
}
