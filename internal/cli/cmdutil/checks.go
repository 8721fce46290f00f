package cmdutil

import "github.com/flowguard/flowguard/internal/engine/checks"

// LoadChecks returns the built-in checks plus those of dir (if any), narrowed to ids (if any): the --checks
// and --check flags of scan, iac scan, query and checks.
func LoadChecks(dir string, ids []string) ([]*checks.Check, error) {
	cs, err := LoadAllChecks(dir)
	if err != nil {
		return nil, err
	}
	return checks.Select(cs, ids)
}

// LoadAllChecks returns the built-in checks plus those of dir, the opt-in ones included ('checks list').
func LoadAllChecks(dir string) ([]*checks.Check, error) {
	cs := checks.Builtin()
	if dir != "" {
		user, err := checks.LoadDir(dir)
		if err != nil {
			return nil, err
		}
		if cs, err = checks.Merge(cs, user); err != nil {
			return nil, err
		}
	}
	return cs, nil
}
