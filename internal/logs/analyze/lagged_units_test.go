package analyze_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// TestLaggedTablesFlushedPerUnit: the IPv4 top-k tables hold their last adds back (lagged.go), so each unit's
// tables must be flushed when it ends, or a unit's last records would be counted in the next unit, or not
// at all. Units of fewer records than the lag, read by two workers, must all count.
func TestLaggedTablesFlushedPerUnit(t *testing.T) {
	var units []source.Unit
	for u := range 9 {
		var b bytes.Buffer
		for i := range u % 4 { // 0 to 3 records per unit
			fmt.Fprintf(&b, "2 1 eni-a 198.51.100.%d 10.0.0.%d 5555 22 6 1 60 1767225600 1767225601 REJECT OK\n", u, i)
			fmt.Fprintf(&b, "2 1 eni-a 10.0.0.%d 10.0.1.1 40000 443 6 10 %d 1767225600 1767225660 ACCEPT OK\n", u, 100*(i+1))
		}
		units = append(units, source.Reader{R: bytes.NewReader(b.Bytes()), Label: fmt.Sprint("u", u)})
	}
	eng := analyze.New(analyze.Config{TopN: 50}, 2)
	st, err := source.Run(context.Background(), units, 2, flowlog.Options{Strict: true}, func() source.Sink { return eng.Shard() })
	if err != nil {
		t.Fatal(err)
	}
	rep := eng.Finish(st, nil)
	src, dst, talk := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, r := range rep.Top[0].Rows {
		src[r.Key] = r.Value
	}
	for _, r := range rep.Top[1].Rows {
		dst[r.Key] = r.Value
	}
	for _, r := range rep.Top[3].Rows {
		talk[r.Key] = r.Value
	}
	for u := range 9 {
		n := int64(u % 4)
		if n == 0 {
			continue
		}
		if got := src[fmt.Sprint("198.51.100.", u)]; got != n {
			t.Errorf("unit %d: source counted %d times, want %d", u, got, n)
		}
		if got, want := talk[fmt.Sprintf("10.0.0.%d -> 10.0.1.1", u)], 100*n*(n+1)/2; got != want {
			t.Errorf("unit %d: talker bytes %d, want %d", u, got, want)
		}
	}
	// 10.0.0.0 is rejected once in each unit of at least 1 record (6 units), 10.0.0.2 in each of 3 (2 units).
	if dst["10.0.0.0"] != 6 || dst["10.0.0.1"] != 4 || dst["10.0.0.2"] != 2 {
		t.Errorf("destinations %v", dst)
	}
}
