package source

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/layout"
)

type countSink struct{ n *int64 }

func (s countSink) Add(*flowlog.Record) { *s.n++ }

// slowUnit takes a while, so that progress is reported before the end.
type slowUnit struct{ Unit }

func (u slowUnit) Read(ctx context.Context, o flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	time.Sleep(30 * time.Millisecond)
	return u.Unit.Read(ctx, o, fn)
}

func TestRunProgress(t *testing.T) {
	dir := t.TempDir()
	g := gen.New(gen.Config{Seed: 2, Records: 6000, Duration: 6 * time.Hour})
	if _, err := g.WriteDir(filepath.Join(dir, "gz"), layout.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.New(gen.Config{Seed: 3, Records: 3000, Duration: 3 * time.Hour}).WriteDir(filepath.Join(dir, "pq"), layout.Options{Parquet: true}); err != nil {
		t.Fatal(err)
	}
	units, err := Files([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for i, u := range units {
		st, err := os.Stat(u.Name())
		if err != nil {
			t.Fatal(err)
		}
		size += st.Size()
		units[i] = slowUnit{u}
	}
	var mu sync.Mutex
	var calls []Progress
	var counts []*int64
	st, err := Run(context.Background(), units, 3, flowlog.Options{Strict: true}, func() Sink {
		n := new(int64)
		counts = append(counts, n)
		return countSink{n}
	}, WithProgress(time.Millisecond, func(p Progress) {
		mu.Lock()
		calls = append(calls, p)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 {
		t.Fatalf("progress calls %+v", calls)
	}
	last := calls[len(calls)-1]
	if want := (Progress{Records: st.Records, Bytes: size, Done: len(units), Total: len(units)}); last != want {
		t.Errorf("last progress %+v, want %+v", last, want)
	}
	if calls[0].Done == len(units) && calls[0].Records == st.Records {
		t.Errorf("no progress before the end: %+v", calls)
	}
	for i := 1; i < len(calls); i++ {
		p, q := calls[i-1], calls[i]
		if q.Records < p.Records || q.Bytes < p.Bytes || q.Done < p.Done || q.Total != len(units) {
			t.Fatalf("progress went back: %+v then %+v", p, q)
		}
	}
	var sum int64
	for _, n := range counts {
		sum += *n
	}
	if sum != st.Records {
		t.Errorf("sinks saw %d records, stats say %d", sum, st.Records)
	}
}
