package gen

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/layout"
)

// WriteStream writes every record to w, one per line, after a header line of field names if header is set.
func (g *Generator) WriteStream(w io.Writer, header bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	if header {
		bw.WriteString(g.cfg.Format.Header() + "\n")
	}
	err := g.Each(func(_ int64, line []byte) error {
		bw.Write(line)
		return bw.WriteByte('\n')
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// FlowLogID is the flow log the generated objects are named after.
const FlowLogID = "fl-0123456789abcdef0"

// WriteDir writes the records under dir in the S3 delivery layout (dir plays the bucket root), one object per
// hour: gzip text with a header line, or Parquet. It returns the files written, relative to dir.
func (g *Generator) WriteDir(dir string, o layout.Options) ([]string, error) {
	var files []string
	var cur int64 = -1
	var f *os.File
	var zw *gzip.Writer
	var bw *bufio.Writer
	var pq *parquetFile
	closeCur := func() error {
		if f == nil {
			return nil
		}
		var err error
		if pq != nil {
			err = pq.close()
		} else {
			if err = bw.Flush(); err == nil {
				err = zw.Close()
			}
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		f, pq = nil, nil
		return err
	}
	err := g.Each(func(start int64, line []byte) error {
		if h := start / 3600; h != cur {
			if err := closeCur(); err != nil {
				return err
			}
			cur = h
			t := unixUTC(h*3600 + 3599)
			rel := layout.Key("", g.cfg.Account, g.cfg.Region, FlowLogID, t, fmt.Sprintf("%08x", uint32(h*2654435761)), o)
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			var err error
			if f, err = os.Create(p); err != nil {
				return err
			}
			files = append(files, rel)
			if o.Parquet {
				pq = newParquetFile(f, g.cfg.Format)
			} else {
				zw = gzip.NewWriter(f)
				bw = bufio.NewWriterSize(zw, 256<<10)
				bw.WriteString(g.cfg.Format.Header() + "\n")
			}
		}
		if pq != nil {
			return pq.add(line)
		}
		bw.Write(line)
		return bw.WriteByte('\n')
	})
	if cerr := closeCur(); err == nil {
		err = cerr
	}
	return files, err
}

// parquetFile writes records as Parquet with the delivery's column names (underscores) and types.
type parquetFile struct {
	w      *parquet.GenericWriter[any]
	cols   []int // format column -> schema leaf index
	row    parquet.Row
	format *flowlog.Format
}

// ParquetSchema is the Parquet schema of format f, as S3 delivery writes it.
func ParquetSchema(f *flowlog.Format) *parquet.Schema {
	g := parquet.Group{}
	for i, fl := range f.Fields {
		var n parquet.Node
		switch fl.Kind() {
		case flowlog.KindInt32:
			n = parquet.Int(32)
		case flowlog.KindInt64:
			n = parquet.Int(64)
		default:
			n = parquet.String()
		}
		g[columnName(f, i)] = parquet.Optional(n)
	}
	return parquet.NewSchema("flowlog", g)
}

func columnName(f *flowlog.Format, i int) string {
	return string(bytes.ReplaceAll([]byte(f.Names[i]), []byte("-"), []byte("_")))
}

func newParquetFile(w io.Writer, f *flowlog.Format) *parquetFile {
	s := ParquetSchema(f)
	pf := &parquetFile{w: parquet.NewGenericWriter[any](w, s), format: f}
	idx := map[string]int{}
	for i, c := range s.Columns() {
		idx[c[0]] = i
	}
	for i := range f.Fields {
		pf.cols = append(pf.cols, idx[columnName(f, i)])
	}
	pf.row = make(parquet.Row, len(f.Fields))
	return pf
}

func (pf *parquetFile) add(line []byte) error {
	// Split the generated line again: its fields are already in the format's order.
	fields := bytes.Fields(line)
	if len(fields) != len(pf.format.Fields) {
		return fmt.Errorf("generated line has %d fields, want %d", len(fields), len(pf.format.Fields))
	}
	for i, v := range fields {
		col := pf.cols[i]
		if flowlog.IsNA(v) {
			pf.row[col] = parquet.NullValue().Level(0, 0, col)
			continue
		}
		var val parquet.Value
		switch pf.format.Fields[i].Kind() {
		case flowlog.KindInt32:
			var n int64
			fmt.Sscan(string(v), &n)
			val = parquet.ValueOf(int32(n))
		case flowlog.KindInt64:
			var n int64
			fmt.Sscan(string(v), &n)
			val = parquet.ValueOf(n)
		default:
			val = parquet.ValueOf(string(v))
		}
		pf.row[col] = val.Level(0, 1, col)
	}
	_, err := pf.w.WriteRows([]parquet.Row{pf.row})
	return err
}

func (pf *parquetFile) close() error { return pf.w.Close() }

// WriteGzip writes every record to w as one gzip stream.
func WriteGzip(w io.Writer, g *Generator, header bool) error {
	zw := gzip.NewWriter(w)
	if err := g.WriteStream(zw, header); err != nil {
		return err
	}
	return zw.Close()
}

// Lines cuts generated text into its lines (without line ends, surrounding space trimmed) as the readers pass
// lines to the parser: each a slice of text with the rest of the text after it. bytes.Split would cap each
// line at its end, and a parser that may read a few bytes past a line (flowlog's masked path) would then
// copy every line first, a cost the readers do not pay.
func Lines(text []byte) [][]byte {
	var lines [][]byte
	for rest := bytes.TrimSpace(text); len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		lines = append(lines, rest[:i])
		rest = rest[min(i+1, len(rest)):]
	}
	return lines
}
