package pagination

import (
	"errors"
	"strings"
	"testing"
)

func s(v string) *string { return &v }

func TestGuard(t *testing.T) {
	g := New(0)
	for _, tok := range []string{"a", "b", "c"} {
		if err := g.Next(s(tok)); err != nil {
			t.Fatal(err)
		}
	}
	err := g.Next(s("b")) // a cycle b → c → b
	if !errors.Is(err, ErrRepeatedToken) || !strings.Contains(err.Error(), `pagination: the endpoint repeated NextToken "b" after 4 pages`) {
		t.Fatalf("cycle: %v", err)
	}
	if err := New(0).Next(nil); err != nil {
		t.Fatal(err)
	}
	g = New(0)
	g.Next(s("x"))
	if err := g.Next(s("x")); !errors.Is(err, ErrRepeatedToken) {
		t.Fatalf("immediate repeat: %v", err)
	}
	g = New(3)
	g.Next(s("1"))
	g.Next(s("2"))
	if err := g.Next(s("3")); !errors.Is(err, ErrTooManyPages) {
		t.Fatalf("page limit: %v", err)
	}
	if err := New(3).Next(s(strings.Repeat("\x1b", 100))); err != nil {
		t.Fatal(err)
	}
	g = New(0)
	g.Next(s(strings.Repeat("\x1b[31m", 20)))
	if err := g.Next(s(strings.Repeat("\x1b[31m", 20))); err == nil || strings.Contains(err.Error(), "\x1b") || len(err.Error()) > 200 {
		t.Fatalf("token shown raw or long: %q", err)
	}
}

// A stream longer than the tokens remembered keeps bounded memory and still catches a short cycle.
func TestGuardMemoryBounded(t *testing.T) {
	g := New(0)
	for i := range 3 * remembered {
		if err := g.Next(s(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i))); err != nil {
			t.Fatal(err)
		}
		if len(g.seen) > remembered {
			t.Fatalf("%d tokens remembered", len(g.seen))
		}
	}
	g.Next(s("p"))
	g.Next(s("q"))
	if err := g.Next(s("p")); !errors.Is(err, ErrRepeatedToken) {
		t.Fatalf("cycle after a long stream: %v", err)
	}
}

func itoa(i int) string {
	var b []byte
	for ; i > 0 || len(b) == 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
