package journal

import (
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

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"seq":1,"type":"run"}` + "\n"))
	f.Add([]byte(`{"seq":1}` + "\n" + `{`))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := parse("fuzz", b)
		if err == nil {
			_ = Summarize("fuzz", recs)
		}
	})
}
