package checks

import (
	"fmt"
	"strconv"
	"strings"
)

// expectation is what a check's query must return: nothing ("eq []"), or a count in range.
type expectation struct {
	count bool // false: eq []
	op    string
	n     int
}

var countOps = []string{"==", "!=", "<=", ">=", "<", ">"}

func parseExpect(s string) (expectation, error) {
	f := strings.Fields(s)
	switch {
	case len(f) == 2 && f[0] == "eq" && f[1] == "[]", len(f) == 1 && f[0] == "eq[]":
		return expectation{}, nil
	case len(f) == 3 && f[0] == "count" && contains(countOps, f[1]):
		n, err := strconv.Atoi(f[2])
		if err != nil || n < 0 {
			return expectation{}, fmt.Errorf("expect %q: the count must be a non-negative integer", s)
		}
		return expectation{count: true, op: f[1], n: n}, nil
	}
	return expectation{}, fmt.Errorf("expect %q: write \"eq []\" (no asset may match) or \"count OP N\" with OP one of %s",
		s, strings.Join(countOps, " "))
}

func (e expectation) holds(count int) bool {
	switch e.op {
	case "==":
		return count == e.n
	case "!=":
		return count != e.n
	case "<":
		return count < e.n
	case "<=":
		return count <= e.n
	case ">":
		return count > e.n
	case ">=":
		return count >= e.n
	}
	return count == 0
}

func (e expectation) String() string {
	if !e.count {
		return "eq []"
	}
	return fmt.Sprintf("count %s %d", e.op, e.n)
}
