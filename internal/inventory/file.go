package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flowguard/flowguard/internal/outfile"
)

// MaxSnapshotBytes bounds the size of a snapshot file ReadFile accepts (1 GiB): decoding holds the document
// and the inventory in memory, so a larger (or endless, like /dev/zero) input is refused instead of read.
// A snapshot of 100,000 VPCs with their flow logs, subnets and interfaces is well under 200 MB.
const MaxSnapshotBytes = 1 << 30

// Encode writes the snapshot as indented JSON.
func (s *Snapshot) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteFile saves the snapshot to path, atomically and readable by its owner only: a snapshot is a whole
// account inventory (see internal/outfile). A symbolic link at path is refused, never written through.
func (s *Snapshot) WriteFile(path string) error {
	if err := outfile.WriteWith(path, outfile.ModePrivate, s.Encode); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	return nil
}

// ReadFile loads a snapshot saved by WriteFile. It refuses other documents (a scan result, say) with a
// message that names what it found, files larger than MaxSnapshotBytes, and snapshots that Validate refuses.
func ReadFile(path string) (*Snapshot, error) {
	data, err := ReadLimited(path, MaxSnapshotBytes)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return Decode(path, data)
}

// ReadLimited reads a whole file, refusing one larger than limit bytes.
func ReadLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB: refused", path, limit>>20)
	}
	return data, nil
}

// Decode parses and validates a snapshot document; name is used in messages.
func Decode(name string, data []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, int(se.Offset))
			return nil, fmt.Errorf("%s:%d:%d: %v", name, line, col, err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			line, col := lineCol(data, int(te.Offset))
			return nil, fmt.Errorf("%s:%d:%d: %s: want %s, got a JSON %s", name, line, col, orRoot(te.Field), te.Type, te.Value)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if s.Schema != SnapshotSchema {
		return nil, fmt.Errorf("%s: not a flowguard snapshot (schema %q, want %q); write one with `flowguard scan --save-snapshot FILE`", name, s.Schema, SnapshotSchema)
	}
	if len(s.Regions) == 0 && len(s.Errors) == 0 {
		return nil, fmt.Errorf("%w: the snapshot %s has no regions (and records no read error)", ErrNothingToEvaluate, name)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: not a valid snapshot:\n  %s", name, strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return &s, nil
}

func orRoot(field string) string {
	if field == "" {
		return "the document"
	}
	return field
}

// maxProblems bounds the problems Validate lists: a hostile file could otherwise make the message itself huge.
const maxProblems = 20

// Validate checks what the evaluation relies on: no null entries in lists, the identifying fields of every
// resource present (account and region of a region, ids of VPCs, flow logs and the rest), each account-region
// at most once, each VPC id at most once per account-region. Each problem names its JSON path
// (regions[2].vpcs[0].id).
func (s *Snapshot) Validate() error {
	var problems []error
	n := 0
	bad := func(format string, args ...any) {
		n++
		if n <= maxProblems {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	type scope struct{ account, region string }
	seen := map[scope]int{}
	for i, r := range s.Regions {
		p := fmt.Sprintf("regions[%d]", i)
		if r == nil {
			bad("%s: null: want an account-region object", p)
			continue
		}
		if r.AccountID == "" {
			bad("%s.account_id: missing", p)
		}
		if r.Name == "" {
			bad("%s.region: missing", p)
		}
		if r.AccountID != "" && r.Name != "" {
			k := scope{r.AccountID, r.Name}
			if first, dup := seen[k]; dup {
				bad("%s: account %s region %s appears twice (first at regions[%d])", p, r.AccountID, r.Name, first)
			} else {
				seen[k] = i
			}
		}
		vpcs := map[string]int{}
		for j, v := range r.VPCs {
			if v.ID == "" {
				bad("%s.vpcs[%d].id: missing (or the entry is null)", p, j)
				continue
			}
			if first, dup := vpcs[v.ID]; dup {
				bad("%s.vpcs[%d]: VPC %s appears twice (first at vpcs[%d])", p, j, v.ID, first)
			} else {
				vpcs[v.ID] = j
			}
		}
		for j, f := range r.FlowLogs {
			if f.ID == "" {
				bad("%s.flow_logs[%d].id: missing (or the entry is null)", p, j)
			}
			if f.ResourceID == "" {
				bad("%s.flow_logs[%d].resource_id: missing (or the entry is null)", p, j)
			}
		}
		for j, x := range r.Subnets {
			if x.ID == "" {
				bad("%s.subnets[%d].id: missing (or the entry is null)", p, j)
			}
		}
		for j, x := range r.NetworkInterfaces {
			if x.ID == "" {
				bad("%s.network_interfaces[%d].id: missing (or the entry is null)", p, j)
			}
		}
		for j, x := range r.InternetGateways {
			if x.ID == "" {
				bad("%s.internet_gateways[%d].id: missing (or the entry is null)", p, j)
			}
		}
		for j, x := range r.LogGroups {
			if x.Name == "" {
				bad("%s.log_groups[%d].name: missing (or the entry is null)", p, j)
			}
		}
		validateTGW(r, p, bad)
		for j, e := range r.Errors {
			if e.Collection == "" {
				bad("%s.errors[%d].collection: missing (or the entry is null)", p, j)
			}
		}
	}
	for j, b := range s.Buckets {
		if b.Name == "" {
			bad("buckets[%d].name: missing (or the entry is null)", j)
		}
	}
	for j, e := range s.Errors {
		if e.Collection == "" {
			bad("errors[%d].collection: missing (or the entry is null)", j)
		}
	}
	if n > maxProblems {
		problems = append(problems, fmt.Errorf("… and %d more problems", n-maxProblems))
	}
	return errors.Join(problems...)
}

func lineCol(data []byte, off int) (int, int) {
	line, col := 1, 1
	for i := 0; i < off && i < len(data); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
