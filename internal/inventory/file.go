package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/flowguard/flowguard/internal/outfile"
)

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
// message that names what it found.
func ReadFile(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, int(se.Offset))
			return nil, fmt.Errorf("%s:%d:%d: %v", path, line, col, err)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if s.Schema != SnapshotSchema {
		return nil, fmt.Errorf("%s: not a flowguard snapshot (schema %q, want %q); write one with `flowguard scan --save-snapshot FILE`", path, s.Schema, SnapshotSchema)
	}
	return &s, nil
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
