package accounts

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/inventory"
)

// An account list that names no account is nothing to evaluate, not an empty (passing) scan.
func TestEmptyAccountListIsNothingToEvaluate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "accounts.txt")
	os.WriteFile(file, []byte("# none yet\n\n   # still none\n"), 0o644)
	for _, o := range []Options{{AccountsFile: file}, {Accounts: []string{" , "}}} {
		_, err := o.Select(context.Background(), aws.Config{})
		if !errors.Is(err, inventory.ErrNothingToEvaluate) || !strings.Contains(err.Error(), "names no account") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if !strings.Contains((&Options{AccountsFile: file}).describe(), file) {
		t.Error("the message does not name the file")
	}
	if ids, err := (&Options{}).Select(context.Background(), aws.Config{}); err != nil || len(ids) != 0 {
		t.Errorf("no account flags: %v %v", ids, err)
	}
}

func TestAccountsFileIsBounded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "accounts.txt")
	os.WriteFile(file, []byte(strings.Repeat("111111111111\n", MaxAccountsFileBytes/13+1)), 0o644)
	if _, err := (&Options{AccountsFile: file}).List(); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a huge accounts file: %v", err)
	}
	os.WriteFile(file, []byte("111111111111\n222222222222 # prod\n111111111111\n"), 0o644)
	if ids, err := (&Options{AccountsFile: file}).List(); err != nil || strings.Join(ids, ",") != "111111111111,222222222222" {
		t.Fatalf("ids %v, %v", ids, err)
	}
}
