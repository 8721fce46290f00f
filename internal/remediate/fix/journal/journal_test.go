package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAppendReadSummarize(t *testing.T) {
	dir := t.TempDir()
	id := NewRunID(time.Date(2026, 11, 23, 4, 5, 6, 0, time.UTC))
	if !strings.HasPrefix(id, "20261123T040506Z-") || !ValidRunID(id) {
		t.Fatalf("run id %q", id)
	}
	j, err := Open(dir, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, id, true); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open of a locked run: %v", err)
	}
	must := func(r Record) {
		t.Helper()
		if err := j.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	must(Record{Type: TypeRun, Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}})
	must(Record{Type: TypeBegin, Step: "s1", Action: "ec2:CreateFlowLogs", VPCs: []string{"vpc-1", "vpc-2"}})
	must(Record{Type: TypeEnd, Step: "s1", FlowLogs: map[string]string{"vpc-1": "fl-1"}, Failed: map[string]string{"vpc-2": "bucket missing"}})
	j.Close()

	s := Summarize(id, mustRead(t, dir, id))
	want := Summary{ID: id, Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, Status: StatusUnfinished, FlowLogsCreated: 1, VPCsFailed: 1, LastCommand: "fix"}
	if d := cmp.Diff(want, s, ignoreTimes); d != "" {
		t.Errorf("summary (-want +got):\n%s", d)
	}

	// Reopen (resume): sequence numbers continue.
	j, err = Open(dir, id, false)
	if err != nil {
		t.Fatal(err)
	}
	must(Record{Type: TypeFinish, Status: StatusPartial})
	j.Close()
	recs := mustRead(t, dir, id)
	if recs[len(recs)-1].Seq != 4 {
		t.Errorf("seq after reopen = %d, want 4", recs[len(recs)-1].Seq)
	}
	if got := Summarize(id, recs).Status; got != StatusPartial {
		t.Errorf("status = %q", got)
	}
	list, err := List(dir)
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("List = %+v, %v", list, err)
	}
}

var ignoreTimes = cmp.FilterPath(func(p cmp.Path) bool {
	n := p.Last().String()
	return n == ".StartedAt" || n == ".UpdatedAt"
}, cmp.Ignore())

func mustRead(t *testing.T, dir, id string) []Record {
	t.Helper()
	recs, err := Read(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestReadTornLastLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(Path(dir, "r1"), []byte(`{"seq":1,"type":"run"}`+"\n"+`{"seq":2,"ty`), 0o600)
	recs, err := Read(dir, "r1")
	if err != nil || len(recs) != 1 {
		t.Fatalf("torn last line: %v %v", recs, err)
	}
	os.WriteFile(Path(dir, "r2"), []byte(`{"seq":1,"ty`+"\n"+`{"seq":2,"type":"run"}`+"\n"), 0o600)
	if _, err := Read(dir, "r2"); err == nil || !strings.Contains(err.Error(), "r2.jsonl:1") {
		t.Fatalf("bad middle line: %v", err)
	}
	if _, err := Open(dir, "../x", true); err == nil {
		t.Fatal("path-like run id accepted")
	}
	if _, err := Read(dir, "missing"); err == nil {
		t.Fatal("missing run read")
	}
}

// A journal cut in the middle of a record (a crash during a write) is cut back to its last complete record
// when it is opened, with a warning naming the file and the byte offset; the next record does not glue onto
// the torn one, and every reader agrees afterwards.
func TestOpenCutsTornTail(t *testing.T) {
	dir := t.TempDir()
	good := `{"seq":1,"type":"run"}` + "\n" + `{"seq":2,"type":"begin","action":"ec2:CreateFlowLogs"}` + "\n"
	os.WriteFile(Path(dir, "r1"), []byte(good+`{"seq":3,"type":"end","flow_lo`), 0o600)
	j, err := Open(dir, "r1", false)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("byte offset %d", len(good))
	if len(j.Warnings) != 1 || !strings.Contains(j.Warnings[0], Path(dir, "r1")) || !strings.Contains(j.Warnings[0], want) {
		t.Fatalf("warnings = %q, want one naming the file and %q", j.Warnings, want)
	}
	if b, _ := os.ReadFile(Path(dir, "r1")); string(b) != good {
		t.Fatalf("after open the file is %q, want it cut back to %q", b, good)
	}
	if err := j.Append(Record{Type: TypeFinish, Status: StatusInterrupted}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	recs, err := Read(dir, "r1")
	if err != nil || len(recs) != 3 || recs[2].Type != TypeFinish || recs[2].Seq != 3 {
		t.Fatalf("after append: %+v %v", recs, err)
	}
	if l, err := List(dir); err != nil || len(l) != 1 || l[0].Problem != "" {
		t.Fatalf("List = %+v, %v", l, err)
	}

	// A complete last record without its newline is kept and terminated.
	os.WriteFile(Path(dir, "r2"), []byte(`{"seq":1,"type":"run"}`), 0o600)
	j, err = Open(dir, "r2", false)
	if err != nil {
		t.Fatal(err)
	}
	j.Append(Record{Type: TypeFinish})
	j.Close()
	if recs, err := Read(dir, "r2"); err != nil || len(recs) != 2 || recs[1].Seq != 2 {
		t.Fatalf("unterminated last record: %+v %v", recs, err)
	}

	// Zeros left by a crash (a file extended but not written) are a torn tail too.
	os.WriteFile(Path(dir, "r3"), []byte(good+"\x00\x00\x00\x00"), 0o600)
	j, err = Open(dir, "r3", false)
	if err != nil || len(j.Warnings) != 1 {
		t.Fatalf("zero tail: %v %q", err, j.Warnings)
	}
	j.Close()
	if b, _ := os.ReadFile(Path(dir, "r3")); string(b) != good {
		t.Fatalf("zero tail not cut: %q", b)
	}
}

// A bad record in the middle of one journal makes that run suspect, reported with file, line and byte offset; it
// does not stop the listing of the other runs, and the run can still be opened (for a rollback).
func TestSuspectJournalDoesNotBlockOthers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(Path(dir, "good"), []byte(`{"seq":1,"type":"run","accounts":["111122223333"]}`+"\n"), 0o600)
	bad := `{"seq":1,"type":"run","accounts":["111122223333"]}` + "\n"
	os.WriteFile(Path(dir, "bad"), []byte(bad+`{"seq":2,"type":"begin"`+"\n"+`{"seq":3,"type":"finish","status":"complete"}`+"\n"), 0o600)
	l, err := List(dir)
	if err != nil || len(l) != 2 {
		t.Fatalf("List = %+v, %v", l, err)
	}
	for _, s := range l {
		switch s.ID {
		case "good":
			if s.Problem != "" {
				t.Errorf("good run has a problem: %s", s.Problem)
			}
		case "bad":
			if !strings.Contains(s.Problem, "bad.jsonl:2") || !strings.Contains(s.Problem, fmt.Sprintf("byte offset %d", len(bad))) || s.Status != StatusComplete {
				t.Errorf("bad run summary: %+v", s)
			}
		}
	}
	recs, err := Read(dir, "bad")
	if !errors.Is(err, ErrSuspect) || len(recs) != 2 {
		t.Fatalf("Read of a suspect journal: %d records, %v", len(recs), err)
	}
	j, err := Open(dir, "bad", false)
	if err != nil || len(j.Warnings) != 1 || !strings.Contains(j.Warnings[0], "suspect") {
		t.Fatalf("Open of a suspect journal: %v %q", err, j.Warnings)
	}
	j.Append(Record{Type: TypeRollback})
	j.Close()
	if b, _ := os.ReadFile(Path(dir, "bad")); !strings.Contains(string(b), `{"seq":2,"type":"begin"`+"\n") {
		t.Errorf("a bad record that is not the last one was changed: %q", b)
	}
}

// A record over MaxRecordBytes is a bad record (the reader never holds more than that of one line); Append
// refuses to write one.
func TestRecordSizeLimit(t *testing.T) {
	dir := t.TempDir()
	huge := `{"seq":2,"type":"begin","resource":"` + strings.Repeat("a", MaxRecordBytes) + `"}`
	os.WriteFile(Path(dir, "r"), []byte(`{"seq":1,"type":"run"}`+"\n"+huge+"\n"+`{"seq":3,"type":"end"}`+"\n"), 0o600)
	c, err := Load(dir, "r")
	if err != nil || len(c.Records) != 2 || len(c.Bad) != 1 || !strings.Contains(c.Bad[0].Err, "over") || c.Bad[0].Line != 2 {
		t.Fatalf("long line: %+v %v", c, err)
	}
	j, err := Open(dir, "r", false)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Append(Record{Type: TypeBegin, Resource: strings.Repeat("b", MaxRecordBytes)}); err == nil {
		t.Error("a record over the limit was written")
	}
}

// FuzzParse: reading arbitrary bytes never panics; only the last non-blank line can be cut as torn; after the
// repair Open makes (cut the torn tail, or terminate the last record), an appended record reads back as exactly
// one more record, with nothing glued and no bad record added or lost.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"seq":1,"type":"run"}` + "\n"))
	f.Add([]byte(`{"seq":1}` + "\n" + `{`))
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"seq":1,"type":"run"}`))
	f.Add([]byte(`{"seq":1,"type":"run"}` + "\n" + `{"seq":2,"ty` + "\n" + `{"seq":3}` + "\n"))
	f.Add([]byte(`{"seq":1,"type":"run"}` + "\n\x00\x00\x00"))
	f.Add([]byte("{\"seq\":1}\r\n  \n{\"seq\":2,\"vpcs\":[\"a\"]} \t"))
	f.Add([]byte(`[1,2]` + "\n" + `"x"` + "\n" + `null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := scan("fuzz", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		_ = Summarize("fuzz", c.Records)
		if c.Size != int64(len(data)) {
			t.Fatalf("size %d, want %d", c.Size, len(data))
		}
		fixed := data
		if c.Torn != nil {
			end := c.Torn.Offset + c.Torn.Size
			if c.Torn.Offset > 0 && data[c.Torn.Offset-1] != '\n' {
				t.Fatalf("torn record does not start a line: offset %d", c.Torn.Offset)
			}
			if end > int64(len(data)) || len(bytes.TrimSpace(data[end:])) != 0 {
				t.Fatalf("cut at %d would remove more than the last record", c.Torn.Offset)
			}
			fixed = data[:c.Torn.Offset]
		} else if c.Unterminated {
			fixed = append(append([]byte(nil), data...), '\n')
		}
		next, _ := json.Marshal(Record{Seq: 99, Type: TypeFinish})
		after := append(append(append([]byte(nil), fixed...), next...), '\n')
		c2, err := scan("fuzz", bytes.NewReader(after))
		if err != nil {
			t.Fatal(err)
		}
		if c2.Torn != nil || c2.Unterminated || len(c2.Records) != len(c.Records)+1 || c2.Records[len(c2.Records)-1].Seq != 99 || len(c2.Bad) != len(c.Bad) {
			t.Fatalf("after repair and append: %d records (want %d), torn %+v, bad %d (want %d)", len(c2.Records), len(c.Records)+1, c2.Torn, len(c2.Bad), len(c.Bad))
		}
	})
}
