package ocsf

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Writer writes events as they come; Close finishes the output (it does not close the underlying writer).
type Writer interface {
	Write(*flowlog.Record) error
	Close() error
	// Events is how many events were written.
	Events() int64
}

// Formats are the encodings of logs export --format ocsf.
const (
	EncodingJSON    = "json"
	EncodingParquet = "parquet"
)

// NewWriter returns a writer of the encoding (json: one event per line; parquet: a Parquet file).
func NewWriter(w io.Writer, encoding string) (Writer, error) {
	switch encoding {
	case EncodingJSON:
		bw := bufio.NewWriterSize(w, 256<<10)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		return &jsonWriter{bw: bw, enc: enc}, nil
	case EncodingParquet:
		return &parquetWriter{w: parquet.NewGenericWriter[Event](w,
			parquet.Compression(&parquet.Zstd),
			parquet.KeyValueMetadata("ocsf.version", Version),
			parquet.KeyValueMetadata("ocsf.class_uid", fmt.Sprint(ClassUID)),
			parquet.CreatedBy("flowguard", "", ""),
		)}, nil
	}
	return nil, fmt.Errorf("encoding %q: want json or parquet", encoding)
}

type jsonWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
	n   int64
}

func (j *jsonWriter) Write(r *flowlog.Record) error {
	j.n++
	return j.enc.Encode(FromRecord(r))
}

func (j *jsonWriter) Close() error  { return j.bw.Flush() }
func (j *jsonWriter) Events() int64 { return j.n }

// rowGroup bounds the events a Parquet writer holds before it writes them out (a row group); a variable so
// that tests can make row groups small.
var rowGroup int64 = 64 << 10

type parquetWriter struct {
	w   *parquet.GenericWriter[Event]
	buf []Event
	n   int64
}

func (p *parquetWriter) Write(r *flowlog.Record) error {
	p.buf = append(p.buf, *FromRecord(r))
	p.n++
	if len(p.buf) == 1024 {
		if err := p.flushBuf(); err != nil {
			return err
		}
	}
	if p.n%rowGroup == 0 {
		return p.w.Flush()
	}
	return nil
}

func (p *parquetWriter) flushBuf() error {
	if len(p.buf) == 0 {
		return nil
	}
	_, err := p.w.Write(p.buf)
	clear(p.buf)
	p.buf = p.buf[:0]
	return err
}

func (p *parquetWriter) Close() error {
	if err := p.flushBuf(); err != nil {
		return err
	}
	return p.w.Close()
}

func (p *parquetWriter) Events() int64 { return p.n }
