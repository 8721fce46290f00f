//go:build !unix

package source

import (
	"errors"
	"os"
)

const canMap = false

func mapRegion(*os.File, int64, int) ([]byte, func(), error) {
	return nil, nil, errors.ErrUnsupported
}
