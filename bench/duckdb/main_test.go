package main

import "testing"

// agree must notice every kind of difference, and accept ties listed in another order.
func TestAgree(t *testing.T) {
	base := func() *Result {
		return &Result{Top: map[string][]Row{"talkers": {{"a", 9}, {"b", 5}, {"c", 5}}}, ErrBound: map[string]int64{},
			Detections: map[string][]string{"brute_force": {"x"}}}
	}
	if d := agree(base(), base()); len(d) != 0 {
		t.Fatalf("equal results differ: %v", d)
	}
	tie := base()
	tie.Top["talkers"] = []Row{{"a", 9}, {"c", 5}, {"b", 5}}
	if d := agree(base(), tie); len(d) != 0 {
		t.Errorf("ties in another order: %v", d)
	}
	for name, mutate := range map[string]func(r *Result){
		"totals":    func(r *Result) { r.Totals.Reject++ },
		"value":     func(r *Result) { r.Top["talkers"][1].Value = 6 },
		"key":       func(r *Result) { r.Top["talkers"][0].Key = "z" },
		"detection": func(r *Result) { r.Detections["brute_force"] = nil },
	} {
		r := base()
		mutate(r)
		if d := agree(base(), r); len(d) == 0 {
			t.Errorf("%s: no difference found", name)
		}
	}
}
