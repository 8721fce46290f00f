package ocsf_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/ocsf"
	"github.com/flowguard/flowguard/internal/logs/source"
)

const schemaFile = "testdata/ocsf-1.1.0-network_activity.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaFile, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// records generates records of a format version (with planted REJECTs, NODATA and SKIPDATA rows).
func records(t *testing.T, version int, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	cfg := gen.Config{Seed: uint64(version), Records: n, Duration: 2 * time.Hour, BruteForces: 1, SkipData: 3,
		Format: flowlog.FormatOf(flowlog.FieldsOfVersion(version)...)}
	if err := gen.New(cfg).WriteStream(&buf, true); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func export(t *testing.T, text []byte, encoding string) ([]byte, int64) {
	t.Helper()
	var out bytes.Buffer
	w, err := ocsf.NewWriter(&out, encoding)
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	sink := sinkFunc(func(r *flowlog.Record) {
		if werr == nil {
			werr = w.Write(r)
		}
	})
	if _, err := source.Run(context.Background(), []source.Unit{source.Reader{R: bytes.NewReader(text), Label: "in"}}, 1, flowlog.Options{},
		func() source.Sink { return sink }); err != nil {
		t.Fatal(err)
	}
	if werr != nil {
		t.Fatal(werr)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), w.Events()
}

type sinkFunc func(*flowlog.Record)

func (f sinkFunc) Add(r *flowlog.Record) { f(r) }

// TestExportValidatesAgainstOCSF: every event exported from records of every format version validates against
// the OCSF 1.1.0 Network Activity constraints, and carries what the record said.
func TestExportValidatesAgainstOCSF(t *testing.T) {
	sch := compileSchema(t)
	for _, v := range []int{2, 3, 5, 8} {
		text := records(t, v, 1500)
		out, n := export(t, text, ocsf.EncodingJSON)
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if int64(len(lines)) != n || n < 1500 {
			t.Fatalf("v%d: %d lines, %d events", v, len(lines), n)
		}
		kinds := map[string]int{}
		for i, l := range lines {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(l))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Fatalf("v%d event %d does not validate: %v\n%s", v, i+1, err, l)
			}
			var e ocsf.Event
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatal(err)
			}
			if e.Metadata.Version != ocsf.Version {
				t.Fatalf("metadata.version %q", e.Metadata.Version)
			}
			kinds[e.Disposition+"/"+e.StatusCode]++
		}
		if kinds["Allowed/OK"] == 0 || kinds["Blocked/OK"] == 0 || kinds["/SKIPDATA"] == 0 {
			t.Errorf("v%d: events by disposition/status %v: want accepted, rejected and SKIPDATA records", v, kinds)
		}
	}
}

// TestSchemaRejectsBadEvents: the schema is not a rubber stamp: a missing required attribute, a wrong class,
// an activity that does not match type_uid, a misspelt attribute and a bad address each fail.
func TestSchemaRejectsBadEvents(t *testing.T) {
	sch := compileSchema(t)
	out, _ := export(t, records(t, 5, 10), ocsf.EncodingJSON)
	first := strings.SplitN(string(out), "\n", 2)[0]
	for name, mutate := range map[string]func(m map[string]any){
		"no metadata":     func(m map[string]any) { delete(m, "metadata") },
		"wrong class":     func(m map[string]any) { m["class_uid"] = 4002 },
		"type_uid":        func(m map[string]any) { m["type_uid"] = 400105 },
		"misspelt":        func(m map[string]any) { m["src_endpoint"].(map[string]any)["interface_id"] = "eni-1" },
		"bad ip":          func(m map[string]any) { m["dst_endpoint"].(map[string]any)["ip"] = "10.0.0.300" },
		"no direction_id": func(m map[string]any) { delete(m["connection_info"].(map[string]any), "direction_id") },
		"version":         func(m map[string]any) { m["metadata"].(map[string]any)["version"] = "1.0.0" },
		"time in text":    func(m map[string]any) { m["time"] = "2026-01-01T00:00:00Z" },
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(first), &m); err != nil {
			t.Fatal(err)
		}
		mutate(m)
		b, _ := json.Marshal(m)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := sch.Validate(inst); err == nil {
			t.Errorf("%s: validates", name)
		}
	}
}

// TestMapping checks one record's event attribute by attribute.
func TestMapping(t *testing.T) {
	f := flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)
	line := "5 123456789012 eni-0abc 203.0.113.9 10.0.0.5 51234 22 6 3 180 1767225600 1767225660 REJECT OK vpc-01 subnet-02 i-03 2 IPv4 203.0.113.9 10.0.0.5 eu-west-1 euw1-az1 - - - - ingress 8"
	p := flowlog.NewParser("t", f, flowlog.Options{})
	r, err := p.Parse([]byte(line), 1)
	if err != nil || r == nil {
		t.Fatalf("parse: %v", err)
	}
	e := ocsf.FromRecord(r)
	b, _ := json.Marshal(e)
	for _, want := range []string{`"class_uid":4001`, `"category_uid":4`, `"activity_id":6`, `"type_uid":400106`, `"time":1767225600000`,
		`"end_time":1767225660000`, `"action_id":2`, `"disposition_id":2`, `"disposition":"Blocked"`, `"status_code":"OK"`,
		`"src_endpoint":{"ip":"203.0.113.9","port":51234}`,
		`"dst_endpoint":{"ip":"10.0.0.5","port":22,"interface_uid":"eni-0abc","vpc_uid":"vpc-01","subnet_uid":"subnet-02","instance_uid":"i-03"}`,
		`"protocol_num":6`, `"protocol_name":"tcp"`, `"protocol_ver_id":4`, `"direction_id":1`, `"boundary_id":11`, `"boundary":"Internet Gateway"`,
		`"tcp_flags":2`, `"traffic":{"bytes":180,"packets":3}`, `"cloud":{"provider":"AWS","region":"eu-west-1","zone":"euw1-az1","account":{"uid":"123456789012"`,
		`"unmapped":{"pkt-dstaddr":"10.0.0.5","pkt-srcaddr":"203.0.113.9","type":"IPv4"}`, `"log_version":"5"`, `"version":"1.1.0"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("event lacks %s:\n%s", want, b)
		}
	}
}

// TestParquetExport: the Parquet file names the OCSF version in its metadata, and its rows are the JSON events.
func TestParquetExport(t *testing.T) {
	sch := compileSchema(t)
	defer ocsf.SetRowGroup(1000)()
	text := records(t, 5, 5000) // several row groups
	pq, n := export(t, text, ocsf.EncodingParquet)
	js, _ := export(t, text, ocsf.EncodingJSON)
	f, err := parquet.OpenFile(bytes.NewReader(pq), int64(len(pq)))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.Lookup("ocsf.version"); !ok || v != ocsf.Version {
		t.Errorf("parquet metadata ocsf.version = %q, %v", v, ok)
	}
	if f.NumRows() != n || len(f.RowGroups()) < 2 {
		t.Fatalf("%d rows in %d row groups, %d events", f.NumRows(), len(f.RowGroups()), n)
	}
	rd := parquet.NewGenericReader[ocsf.Event](bytes.NewReader(pq))
	defer rd.Close()
	sc := bufio.NewScanner(bytes.NewReader(js))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	rows := make([]ocsf.Event, 512)
	i := 0
	for {
		clear(rows) // the reader fills maps in place: rows of an earlier read would leak their keys
		k, err := rd.Read(rows)
		for _, e := range rows[:k] {
			if !sc.Scan() {
				t.Fatal("fewer JSON lines than Parquet rows")
			}
			b, _ := json.Marshal(e)
			if i%97 == 0 {
				inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
				if err := sch.Validate(inst); err != nil {
					t.Fatalf("parquet row %d: %v", i, err)
				}
			}
			if string(b) != sc.Text() {
				t.Fatalf("row %d differs:\nparquet %s\njson    %s", i, b, sc.Text())
			}
			i++
		}
		if err != nil {
			break
		}
	}
	if int64(i) != n {
		t.Fatalf("read %d rows of %d", i, n)
	}
}

// FuzzFromRecord: any line the parser accepts maps to an event that encodes, with the class constants set.
func FuzzFromRecord(f *testing.F) {
	f.Add("5 123456789012 eni-0abc 203.0.113.9 10.0.0.5 51234 22 6 3 180 1767225600 1767225660 REJECT OK vpc-01 subnet-02 i-03 2 IPv4 203.0.113.9 10.0.0.5 eu-west-1 euw1-az1 - - - - ingress 8")
	f.Add("5 - - - - - - - - - - - - NODATA - - - - - - - - - - - - - - -")
	f.Add("5 1 e ::1 ::2 0 65535 255 0 0 0 0 ACCEPT SKIPDATA v s i 255 IPv6 ::1 ::2 r z t l S3 EC2 egress 1")
	format := flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)
	f.Fuzz(func(t *testing.T, line string) {
		p := flowlog.NewParser("fuzz", format, flowlog.Options{})
		r, _ := p.Parse([]byte(line), 1)
		if r == nil {
			return
		}
		e := ocsf.FromRecord(r)
		if e.ClassUID != 4001 || e.TypeUID != 400100+int64(e.ActivityID) || e.Cloud == nil {
			t.Fatalf("event %+v", e)
		}
		if _, err := json.Marshal(e); err != nil {
			t.Fatal(err)
		}
	})
}
