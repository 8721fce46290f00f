// Command duckdb compares flowguard's flow-log report with DuckDB running the same aggregates on the same
// gzip file: wall time and peak memory (each engine runs in a child process of its own, so its peak resident
// size is its own), and whether the results agree. It is a separate module so that flowguard itself never
// depends on DuckDB (cgo, a large static library):
//
//	cd bench/duckdb && go run . -records 4000000 -dir /tmp/fl1 -runs 3
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/bench"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// Result is what an engine found: the report's totals, top lists (extra rows past TopN, for ties) and
// detections, in one shape for both engines.
type Result struct {
	Totals     analyze.Totals      `json:"totals"`
	Top        map[string][]Row    `json:"top"`
	ErrBound   map[string]int64    `json:"error_bound"`
	Detections map[string][]string `json:"detections"` // kind → "source target window" keys, sorted
}

// Row is one row of a top list.
type Row struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
}

const topN = 10

var lists = []string{"rejected sources", "rejected destinations", "rejected ports", "talkers"}

func main() {
	records := flag.Int("records", 4_000_000, "records in the generated gzip file")
	dir := flag.String("dir", "", "directory for the generated file, reused by later runs (default: a temporary one)")
	runs := flag.Int("runs", 1, "runs of each engine, alternated; the best wall time and the largest peak memory are kept")
	engine := flag.String("engine", "", "internal: run one engine (flowguard or duckdb) on -file and print its result")
	file := flag.String("file", "", "internal: the file an -engine run reads")
	flag.Parse()
	if *engine != "" {
		if err := child(*engine, *file); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := compare(*records, *dir, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "duckdb bench:", err)
		os.Exit(1)
	}
}

func compare(records int, dir string, runs int) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "flowguard-duckdb-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ds, err := bench.GenerateOne(dir, records)
	if err != nil {
		return err
	}
	fmt.Printf("one gzip file: %d records, %.1f MB text, %.1f MB gzip; %d CPUs; best of %d runs each\n",
		ds.Records, float64(ds.Uncompressed)/1e6, float64(ds.Compressed)/1e6, runtime.NumCPU(), runs)
	best := map[string]*measured{}
	for i := 0; i < runs; i++ {
		for _, eng := range []string{"flowguard", "duckdb"} {
			m, err := run(eng, ds.Files[0])
			if err != nil {
				return err
			}
			b := best[eng]
			if b == nil {
				best[eng] = m
				continue
			}
			b.wall = min(b.wall, m.wall)
			b.rssMB = max(b.rssMB, m.rssMB)
		}
	}
	fg, dd := best["flowguard"], best["duckdb"]
	fmt.Printf("%-10s %8s %10s\n", "engine", "wall s", "peak RSS")
	for _, e := range []string{"flowguard", "duckdb"} {
		fmt.Printf("%-10s %8.2f %8.0fMB\n", e, best[e].wall.Seconds(), best[e].rssMB)
	}
	fmt.Printf("DuckDB / flowguard: wall time %.2fx, peak memory %.2fx\n", dd.wall.Seconds()/fg.wall.Seconds(), dd.rssMB/fg.rssMB)
	diffs := agree(fg.res, dd.res)
	if len(diffs) == 0 {
		fmt.Println("results agree: totals, the top", topN, "of", strings.Join(lists, ", "), "and every detection")
		return nil
	}
	fmt.Println("results DIFFER:")
	for _, d := range diffs {
		fmt.Println("  " + d)
	}
	return errors.New("the engines disagree")
}

// measured is one engine's run: wall time, peak resident size and result.
type measured struct {
	wall  time.Duration
	rssMB float64
	res   *Result
}

// run runs one engine in a child process and returns its wall time, peak RSS and result.
func run(engine, file string) (*measured, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(exe, "-engine", engine, "-file", file)
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", engine, err, errb.String())
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("%s: %v", engine, err)
	}
	m := &measured{wall: wall, res: &res}
	if ru != nil {
		m.rssMB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return m, nil
}

func child(engine, file string) error {
	var res *Result
	var err error
	switch engine {
	case "flowguard":
		res, err = flowguard(file)
	case "duckdb":
		res, err = duck(file)
	default:
		err = fmt.Errorf("unknown engine %q", engine)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// flowguard is `logs report` on the file: the same reader and engine, all cores.
func flowguard(file string) (*Result, error) {
	units, err := source.Files([]string{file}, nil)
	if err != nil {
		return nil, err
	}
	eng := analyze.New(analyze.Config{TopN: topN + 20}, runtime.GOMAXPROCS(0))
	st, err := source.Run(context.Background(), units, runtime.GOMAXPROCS(0), flowlog.Options{}, func() source.Sink { return eng.Shard() })
	if err != nil {
		return nil, err
	}
	rep := eng.Finish(st, nil)
	res := &Result{Totals: rep.Totals, Top: map[string][]Row{}, ErrBound: map[string]int64{}, Detections: map[string][]string{}}
	res.Totals.FilteredOut = 0
	for i, tl := range rep.Top {
		for _, r := range tl.Rows {
			res.Top[lists[i]] = append(res.Top[lists[i]], Row{r.Key, r.Value})
		}
		res.ErrBound[lists[i]] = tl.ErrBound
	}
	for _, d := range rep.Detections {
		res.Detections[d.Kind] = append(res.Detections[d.Kind], detKey(d.Kind, d.Source, d.Destination, d.Port, d.Protocol, d.WindowStart.Unix(), d.Distinct, d.Records))
	}
	for k := range res.Detections {
		slices.Sort(res.Detections[k])
	}
	return res, nil
}

func detKey(kind, src, dst string, port, proto int32, window int64, distinct int, records int64) string {
	switch kind {
	case "vertical_scan":
		return fmt.Sprintf("%s %s %d distinct=%d", src, dst, window, distinct)
	case "horizontal_scan":
		return fmt.Sprintf("%s %d/%d %d distinct=%d", src, port, proto, window, distinct)
	}
	return fmt.Sprintf("%s %s %d/%d %d records=%d", src, dst, port, proto, window, records)
}

// duck runs the report's aggregates in DuckDB: the file is loaded into a table once (as DuckDB would be
// used for it), then each aggregate is a query.
func duck(file string) (*Result, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	load := `CREATE TABLE fl AS SELECT * FROM read_csv(?, delim=' ', header=true, compression='gzip', nullstr='-', columns={
		'version': 'INTEGER', 'account-id': 'VARCHAR', 'interface-id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR',
		'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'INTEGER', 'packets': 'BIGINT', 'bytes': 'BIGINT',
		'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log-status': 'VARCHAR'})`
	if _, err := db.Exec(load, file); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	res := &Result{Top: map[string][]Row{}, ErrBound: map[string]int64{}, Detections: map[string][]string{}}
	t := &res.Totals
	err = db.QueryRow(`SELECT count(*), count_if(action='ACCEPT'), count_if(action='REJECT'), count_if("log-status"='NODATA'),
		count_if("log-status"='SKIPDATA'), coalesce(sum(greatest(bytes,0)),0), coalesce(sum(greatest(packets,0)),0),
		coalesce(sum(greatest(bytes,0)) FILTER (action='ACCEPT'),0), coalesce(sum(greatest(bytes,0)) FILTER (action='REJECT'),0),
		coalesce(min(start),0), coalesce(max(coalesce("end", start)),0) FROM fl`).Scan(
		&t.Records, &t.Accept, &t.Reject, &t.NoData, &t.SkipData, &t.Bytes, &t.Packets, &t.AcceptBytes, &t.RejectBytes, &t.First, &t.Last)
	if err != nil {
		return nil, err
	}
	n := topN + 20
	queries := map[string]string{
		"rejected sources":      `SELECT srcaddr, count(*) c FROM fl WHERE action='REJECT' AND srcaddr IS NOT NULL GROUP BY 1 ORDER BY c DESC LIMIT ?`,
		"rejected destinations": `SELECT dstaddr, count(*) c FROM fl WHERE action='REJECT' AND dstaddr IS NOT NULL GROUP BY 1 ORDER BY c DESC LIMIT ?`,
		"rejected ports":        `SELECT dstport || '/' || protocol, count(*) c FROM fl WHERE action='REJECT' AND dstport IS NOT NULL GROUP BY dstport, protocol ORDER BY c DESC LIMIT ?`,
		"talkers": `SELECT srcaddr || ' -> ' || dstaddr, sum(bytes) c FROM fl WHERE bytes > 0 AND action IS DISTINCT FROM 'REJECT'
			AND srcaddr IS NOT NULL AND dstaddr IS NOT NULL GROUP BY srcaddr, dstaddr ORDER BY c DESC LIMIT ?`,
	}
	for name, q := range queries {
		rows, err := db.Query(q, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for rows.Next() {
			var r Row
			if err := rows.Scan(&r.Key, &r.Value); err != nil {
				return nil, err
			}
			if name == "rejected ports" {
				var port, proto int32
				fmt.Sscanf(r.Key, "%d/%d", &port, &proto)
				r.Key = analyze.PortString(port, proto)
			}
			res.Top[name] = append(res.Top[name], r)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	// The detectors: tumbling one-hour windows, REJECTed records (the defaults of logs report).
	dets := map[string]string{
		"vertical_scan": `SELECT srcaddr, dstaddr, 0, 0, start//3600*3600 w, count(DISTINCT dstport) d, count(*) FROM fl
			WHERE action='REJECT' AND srcaddr IS NOT NULL AND start IS NOT NULL AND dstport IS NOT NULL GROUP BY srcaddr, dstaddr, w HAVING d >= 10`,
		"horizontal_scan": `SELECT srcaddr, '', dstport, protocol, start//3600*3600 w, count(DISTINCT dstaddr) d, count(*) FROM fl
			WHERE action='REJECT' AND srcaddr IS NOT NULL AND start IS NOT NULL AND dstaddr IS NOT NULL GROUP BY srcaddr, dstport, protocol, w HAVING d >= 10`,
		"brute_force": `SELECT srcaddr, dstaddr, dstport, protocol, start//3600*3600 w, 1, count(*) n FROM fl
			WHERE action='REJECT' AND srcaddr IS NOT NULL AND start IS NOT NULL AND dstport IN (22, 3389) GROUP BY srcaddr, dstaddr, dstport, protocol, w HAVING n >= 10`,
	}
	for kind, q := range dets {
		rows, err := db.Query(q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		for rows.Next() {
			var src, dst string
			var port, proto int32
			var w, n int64
			var d int
			if err := rows.Scan(&src, &dst, &port, &proto, &w, &d, &n); err != nil {
				return nil, err
			}
			res.Detections[kind] = append(res.Detections[kind], detKey(kind, src, dst, port, proto, w, d, n))
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		slices.Sort(res.Detections[kind])
	}
	return res, nil
}

// agree lists the differences between the engines' results. Top lists agree when the values of the top N
// rows are the same and every key flowguard lists has that value in DuckDB too (ties may be listed in another
// order); a list flowguard marks approximate (error bound > 0) may be low by at most its bound.
func agree(fg, dd *Result) []string {
	var out []string
	if fg.Totals != dd.Totals {
		out = append(out, fmt.Sprintf("totals: flowguard %+v, duckdb %+v", fg.Totals, dd.Totals))
	}
	for _, name := range lists {
		f, d := fg.Top[name], dd.Top[name]
		bound := fg.ErrBound[name]
		byKey := map[string]int64{}
		for _, r := range d {
			byKey[r.Key] = r.Value
		}
		for i := 0; i < topN && i < len(f); i++ {
			if i >= len(d) {
				out = append(out, fmt.Sprintf("%s: flowguard has row %d (%s), duckdb has %d rows", name, i+1, f[i].Key, len(d)))
				break
			}
			if v, ok := byKey[f[i].Key]; (!ok || v-f[i].Value > bound || v < f[i].Value) || (bound == 0 && d[i].Value != f[i].Value) {
				out = append(out, fmt.Sprintf("%s row %d: flowguard %s = %d, duckdb %s = %d (flowguard's key in duckdb: %d)", name, i+1, f[i].Key, f[i].Value, d[i].Key, d[i].Value, v))
			}
		}
		if len(f) < topN && len(d) > len(f) {
			out = append(out, fmt.Sprintf("%s: flowguard %d rows, duckdb %d", name, len(f), len(d)))
		}
	}
	for _, kind := range []string{"vertical_scan", "horizontal_scan", "brute_force"} {
		if !slices.Equal(fg.Detections[kind], dd.Detections[kind]) {
			out = append(out, fmt.Sprintf("%s: flowguard %v, duckdb %v", kind, fg.Detections[kind], dd.Detections[kind]))
		}
	}
	return out
}
